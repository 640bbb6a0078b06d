import { problemFromInfrastructure } from '../../api/problem';

function named(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  const e = Object.assign(new Error(message), extra);
  e.name = name;
  return e;
}

describe('infrastructure faults as 503', () => {
  it('when the database cannot be reached, then the answer is 503 database-unavailable with Retry-After', () => {
    for (const err of [
      named('MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27017'),
      named('MongoNetworkError', 'connection 3 to 127.0.0.1:27017 closed'),
      named('MongooseError', 'Operation `cases.findOne()` buffering timed out after 10000ms'),
      // The socket closed under the driver as the server was killed mid-request.
      Object.assign(new Error('This socket has been ended by the other party'), {
        code: 'EPIPE',
        stack:
          'Error: This socket has been ended\n    at Connection.writeCommand (/app/node_modules/mongodb/lib/cmap/connection.js:1:1)',
      }),
    ]) {
      const p = problemFromInfrastructure(err);
      expect(p).toMatchObject({ status: 503, slug: 'database-unavailable' });
      expect(p?.extensions.retryAfterSeconds).toBeGreaterThan(0);
    }
  });

  it('when Temporal cannot be reached, then the answer is 503 engine-unavailable', () => {
    const grpc = named('ServiceError', 'Failed to start workflow', {
      cause: Object.assign(new Error('14 UNAVAILABLE'), { code: 14 }),
    });
    expect(problemFromInfrastructure(grpc)).toMatchObject({ status: 503, slug: 'engine-unavailable' });
  });

  it('when the error is anything else, then it is not taken for a fault of the infrastructure', () => {
    expect(problemFromInfrastructure(new TypeError('x is undefined'))).toBeNull();
    expect(problemFromInfrastructure(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBeNull();
    expect(
      problemFromInfrastructure(
        named('ServiceError', 'not found', { cause: Object.assign(new Error('5 NOT_FOUND'), { code: 5 }) }),
      ),
    ).toBeNull();
  });
});
