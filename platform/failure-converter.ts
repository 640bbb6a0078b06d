/**
 * Failures keep their message and stack trace in encoded attributes (issue 12 §7), so that the payload codec
 * encrypts them like any payload: a refusal's message can name a person. Loaded by the workflow bundle and the
 * worker through `failureConverterPath`, and by clients directly; decoding reads both shapes, so histories recorded
 * before keep working.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
