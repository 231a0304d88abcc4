export type OrgEvent = { type: "org.added"; name: string; domain: string };

export interface OrgState {
  orgId: string;
  name: string;
  domain: string;
  sequence: number;
  createdAt: number;
  changedAt: number;
}

export function evolveOrg(
  state: OrgState | null,
  recorded: { event: OrgEvent; aggregateId: string; sequence: number; createdAt: number },
): OrgState {
  const { event } = recorded;
  return {
    orgId: recorded.aggregateId,
    name: event.name,
    domain: event.domain.toLowerCase(),
    sequence: recorded.sequence,
    createdAt: state?.createdAt ?? recorded.createdAt,
    changedAt: recorded.createdAt,
  };
}
