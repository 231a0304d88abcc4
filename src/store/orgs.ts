import type { OrgState as Org } from "../domain/org.js";
import { upsertStatement, type Sql } from "./sql.js";

interface OrgRow {
  org_id: string;
  name: string;
  domain: string;
  sequence: number;
  created_at: number;
  changed_at: number;
}

const fromRow = (r: OrgRow): Org => ({
  orgId: r.org_id,
  name: r.name,
  domain: r.domain,
  sequence: r.sequence,
  createdAt: r.created_at,
  changedAt: r.changed_at,
});

const COLUMNS = ["org_id", "name", "domain", "sequence", "created_at", "changed_at"];
const UPSERT = upsertStatement("orgs", COLUMNS, "org_id");

export class OrgProjection {
  constructor(private readonly sql: Sql) {}

  async byId(orgId: string): Promise<Org | null> {
    const row = await this.sql.get<OrgRow>(`SELECT * FROM orgs WHERE org_id = ?`, [orgId]);
    return row ? fromRow(row) : null;
  }

  async byDomain(domain: string): Promise<Org | null> {
    const row = await this.sql.get<OrgRow>(`SELECT * FROM orgs WHERE domain = ?`, [domain.toLowerCase()]);
    return row ? fromRow(row) : null;
  }

  async save(org: Org): Promise<void> {
    await this.sql.run(UPSERT, [org.orgId, org.name, org.domain, org.sequence, org.createdAt, org.changedAt]);
  }
}
