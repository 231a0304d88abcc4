import type { OrgState as Org } from "../domain/org.js";
import type { Db } from "./database.js";

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

export class OrgProjection {
  private readonly byIdStmt;
  private readonly byDomainStmt;
  private readonly upsertStmt;

  constructor(db: Db) {
    this.byIdStmt = db.prepare(`SELECT * FROM orgs WHERE org_id = ?`);
    this.byDomainStmt = db.prepare(`SELECT * FROM orgs WHERE domain = ?`);
    this.upsertStmt = db.prepare(
      `INSERT OR REPLACE INTO orgs (org_id, name, domain, sequence, created_at, changed_at)
       VALUES (@orgId, @name, @domain, @sequence, @createdAt, @changedAt)`,
    );
  }

  byId(orgId: string): Org | null {
    const row = this.byIdStmt.get(orgId) as OrgRow | undefined;
    return row ? fromRow(row) : null;
  }

  byDomain(domain: string): Org | null {
    const row = this.byDomainStmt.get(domain.toLowerCase()) as OrgRow | undefined;
    return row ? fromRow(row) : null;
  }

  save(org: Org): void {
    this.upsertStmt.run(org);
  }
}
