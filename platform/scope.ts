/**
 * The read-model filter of a principal's scope, shared by the API (every list and feed) and the webhook worker (a
 * subscription sees what its owner would): admins everything, integrators the cases they opened within their
 * procedures, staff their offices' cases.
 */
export interface ScopeOwner {
  sub: string;
  role: string;
  offices: string[];
  procedures?: string[] | undefined;
}

/** The MongoDB filter that limits a query to a principal's scope. */
export function scopeFilter(p: ScopeOwner): Record<string, unknown> {
  switch (p.role) {
    case 'admin':
      return {};
    case 'integrator':
      return { openedBySub: p.sub, ...(p.procedures ? { procedure: { $in: p.procedures } } : {}) };
    default:
      return { office: { $in: p.offices } };
  }
}
