import { create, fromJson, toBinary, type JsonObject } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { createClient, ConnectError, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { createReadStream, createWriteStream, statSync, type WriteStream } from "node:fs";
import {
  ImportUsersRequestSchema,
  UserImportService,
  type ImportUserResult,
} from "../../../gen/latchkey/user/v1/user_import_service_pb.js";
import { AddHumanUserRequestSchema, type AddHumanUserRequest } from "../../../gen/zitadel/user/v2/user_service_pb.js";
import { progressOn } from "../progress.js";
import { FORMATS } from "./formats.js";
import { IMPORT_USAGE } from "../../config/settings-docs.js";
import { importArguments, ImportUsageError, type ImportArguments } from "./import-arguments.js";

/** What one call carries at most: the server's limits (1,000 users, LATCHKEY_MAX_REQUEST_BYTES's default 256 KiB) with room to spare. */
const USERS_PER_CALL = 1000;
const BYTES_PER_CALL = 192 * 1024;
/** Calls sent before the first of them is answered: the server works on one while the CLI reads the next. */
const CALLS_IN_FLIGHT = 3;

/** What the server keeps unique across users, as near as the client can tell: the id and the login names. */
function keysOf(user: AddHumanUserRequest): string[] {
  const name = (text: string) => `name:${text.normalize("NFKC").toLowerCase()}`;
  return [
    ...(user.userId === undefined ? [] : [`id:${user.userId}`]),
    ...(user.username === undefined ? [] : [name(user.username)]),
    ...(user.email?.email ? [name(user.email.email.trim())] : []),
  ];
}

interface Pending {
  where: string;
  /** The user as ImportUsersRequest's field `users` carries it (length first), encoded once. */
  encoded: Uint8Array;
  keys: string[];
  hasUserId: boolean;
  locked: boolean;
}

const USERS_FIELD = ImportUsersRequestSchema.field.users.number;

/** A refused record, as the report writes it: never a hash or a password. */
interface Refusal {
  at: string;
  code: string;
  reason: string;
  field: string;
  message: string;
}

/** `import-users`: a client of UserImportService/ImportUsers. Exit 0 when nothing was refused, 1 otherwise, 2 on bad usage. */
export async function runImportUsers(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  let args: ImportArguments;
  try {
    args = importArguments(argv, env);
    statSync(args.file);
  } catch (error) {
    if (!(error instanceof ImportUsageError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
    err.write(
      `latchkey import-users: ${error instanceof ImportUsageError ? error.message : `cannot read ${argv.find((a) => !a.startsWith("--"))}`}\n${IMPORT_USAGE}\n`,
    );
    return 2;
  }
  const run = new ImportRun(args, err);
  try {
    await run.readAll();
  } catch (error) {
    // A ConnectError's message names its code ("[unauthenticated] …"); anything else is the connection's.
    const why = error instanceof ConnectError ? error.message : error instanceof Error ? error.message : String(error);
    err.write(
      `\nlatchkey import-users: stopped after ${run.counts.read} records: ${why}. Run it again: users already imported are skipped.\n`,
    );
    await run.close();
    out.write(run.summary());
    return 1;
  }
  await run.close();
  out.write(run.summary());
  return run.refusedCount() === 0 ? 0 : 1;
}

class ImportRun {
  readonly counts = { read: 0, imported: 0, already: 0 };
  private readonly refusedBy = new Map<string, number>();
  private readonly client: Client<typeof UserImportService>;
  private readonly report: WriteStream | null;
  private batch: Pending[] = [];
  private readonly inFlight: Array<{ batch: Pending[]; keys: Set<string>; answer: Promise<{ results: ImportUserResult[] }> }> = [];
  private batchBytes = 0;
  private readonly input;
  private readonly size: number;
  private readonly progress;

  constructor(
    private readonly args: ImportArguments,
    err: NodeJS.WriteStream,
  ) {
    const transport = createConnectTransport({ baseUrl: args.url, httpVersion: "1.1", useBinaryFormat: true });
    this.client = createClient(UserImportService, transport);
    this.report = args.reportPath === undefined ? null : createWriteStream(args.reportPath, { mode: 0o600 });
    this.input = createReadStream(args.file);
    this.size = Math.max(1, statSync(args.file).size);
    this.progress = progressOn(err, args.dryRun ? "import-users (dry run)" : "import-users", "users");
  }

  async readAll(): Promise<void> {
    for await (const record of FORMATS[this.args.format]!(this.input, this.args.options)) {
      this.counts.read++;
      if (record.unreadable !== undefined) {
        this.refuse({
          at: record.where,
          code: "invalid_argument",
          reason: "UNREADABLE",
          field: record.unreadable.field,
          message: record.unreadable.reason,
        });
        continue;
      }
      const user = this.request(record.user!);
      if (typeof user === "string") {
        this.refuse({ at: record.where, code: "invalid_argument", reason: "UNREADABLE", field: "", message: user });
        continue;
      }
      const bytes = toBinary(AddHumanUserRequestSchema, user);
      if (bytes.length > BYTES_PER_CALL) {
        this.refuse({
          at: record.where,
          code: "invalid_argument",
          reason: "TOO_LARGE",
          field: "",
          message: "is larger than a call may carry",
        });
        continue;
      }
      if (this.batch.length === USERS_PER_CALL || this.batchBytes + bytes.length > BYTES_PER_CALL) await this.send();
      this.batch.push({
        where: record.where,
        encoded: new BinaryWriter().bytes(bytes).finish(),
        keys: keysOf(user),
        hasUserId: user.userId !== undefined,
        locked: record.locked === true,
      });
      this.batchBytes += bytes.length;
    }
    await this.send();
    await this.settleAll();
    this.progress.finish(this.counts.imported);
  }

  /** The record as an AddHumanUserRequest, or why it is not one (naming the field, never its value). */
  private request(json: JsonObject): AddHumanUserRequest | string {
    try {
      const user = fromJson(AddHumanUserRequestSchema, json);
      if (this.args.orgId !== undefined)
        user.organization = { $typeName: "zitadel.object.v2.Organization", org: { case: "orgId", value: this.args.orgId } };
      return user;
    } catch (error) {
      const field = /field ([\w.]+)/.exec(error instanceof Error ? error.message : "")?.[1];
      return `is not an AddHumanUserRequest${field === undefined ? "" : ` (field ${field.split(".").at(-1)})`}`;
    }
  }

  /**
   * Sends the batch built so far while the one before may still be in flight, so the server is not
   * idle while the next is read. A batch that shares an id or login name with one in flight waits
   * for it, so that the first in the file still wins. Results are taken in the file's order.
   */
  private async send(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    const keys = new Set(batch.flatMap((p) => p.keys));
    const overlaps = this.inFlight.some((call) => [...keys].some((key) => call.keys.has(key)));
    while (this.inFlight.length >= CALLS_IN_FLIGHT || (overlaps && this.inFlight.length > 0)) await this.settleOldest();
    const request = create(ImportUsersRequestSchema, {
      dryRun: this.args.dryRun,
      locked: batch.flatMap((p, i) => (p.locked ? [i] : [])),
    });
    // The users go on the wire as encoded when their size was measured (written as fields the
    // message does not hold, they are what `repeated AddHumanUserRequest users` is in binary).
    request.$unknown = batch.map((p) => ({ no: USERS_FIELD, wireType: WireType.LengthDelimited, data: p.encoded }));
    const answer = this.client.importUsers(request, { headers: { authorization: `Bearer ${this.args.token}` } });
    answer.catch(() => undefined); // awaited in order by settleOldest; a failure surfaces there
    this.inFlight.push({ batch, keys, answer });
  }

  /** Waits for every call still in flight, recording their results. */
  async settleAll(): Promise<void> {
    while (this.inFlight.length > 0) await this.settleOldest();
  }

  private async settleOldest(): Promise<void> {
    const call = this.inFlight[0]!;
    const { results } = await call.answer;
    this.inFlight.shift();
    results.forEach((result, i) => this.record(call.batch[i]!, result));
    this.progress.update(this.counts.imported + this.counts.already, this.input.bytesRead / this.size);
  }

  private record(sent: Pending, result: ImportUserResult): void {
    if (result.result.case === "imported") this.counts.imported++;
    else if (result.result.case === "refused") {
      const refused = result.result.value;
      // With the source's id, "already there" is that id taken; a taken name is another user's. Without
      // one, a taken name is all a re-run can go by.
      const alreadyThere = refused.reason === "USER_ID_TAKEN" || (!sent.hasUserId && refused.code === "already_exists");
      if (alreadyThere) this.counts.already++;
      const field = refused.fieldViolations.map((v) => v.field).join(" ");
      this.refuse({ at: sent.where, code: refused.code, reason: refused.reason, field, message: refused.message }, alreadyThere);
    }
  }

  private refuse(refusal: Refusal, alreadyThere = false): void {
    if (!alreadyThere) this.refusedBy.set(refusal.reason, (this.refusedBy.get(refusal.reason) ?? 0) + 1);
    this.report?.write(JSON.stringify(refusal) + "\n");
  }

  refusedCount(): number {
    return [...this.refusedBy.values()].reduce((a, b) => a + b, 0);
  }

  summary(): string {
    const verb = this.args.dryRun ? "would import" : "imported";
    const lines = [`${verb} ${this.counts.imported}, already there ${this.counts.already}, refused ${this.refusedCount()}`];
    for (const [reason, n] of [...this.refusedBy].sort((a, b) => b[1] - a[1])) lines.push(`  ${reason}: ${n}`);
    if (this.args.reportPath !== undefined) lines.push(`report: ${this.args.reportPath}`);
    return lines.join("\n") + "\n";
  }

  close(): Promise<void> {
    this.input.destroy();
    return new Promise((resolve) => (this.report === null ? resolve() : this.report.end(resolve)));
  }
}
