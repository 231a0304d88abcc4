import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { humanUser, OTHER_PASSWORD, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { ROOT, startServer, type TestServer } from "../helpers/server.js";

const run = promisify(execFile);
/** The buf CLI the npm package @bufbuild/buf ships. */
const BUF = join(ROOT, "node_modules", ".bin", "buf");

let server: TestServer;
let dark: TestServer;
beforeAll(async () => {
  [server, dark] = await Promise.all([startServer(), startServer({ env: { LATCHKEY_REFLECTION: "false" } })]);
});
afterAll(async () => {
  await Promise.all([server.stop(), dark.stop()]);
});

/** buf curl with nothing but what the server's reflection tells it. */
async function bufCurl(args: string[], protocol = "grpc"): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BUF, ["curl", "--protocol", protocol, "--http2-prior-knowledge", ...args], { cwd: "/" });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("gRPC server reflection", () => {
  // Reflection is a bidirectional stream: gRPC-web and Connect carry it too over HTTP/2.
  for (const protocol of ["grpcweb", "connect"]) {
    it(`answers buf curl's reflection over ${protocol}`, async () => {
      const listed = await bufCurl(["--list-methods", server.baseUrl], protocol);
      expect(listed.stderr).toBe("");
      expect(listed.stdout.trim().split("\n")).toContain("zitadel.user.v2.UserService/SetPassword");
    });
  }

  it("lets buf curl list every method and call SetPassword knowing no proto", async () => {
    const listed = await bufCurl(["--list-methods", server.baseUrl]);
    expect(listed.stderr).toBe("");
    const methods = listed.stdout.trim().split("\n");
    expect(methods).toEqual(
      expect.arrayContaining([
        "zitadel.user.v2.UserService/SetPassword",
        "zitadel.user.v2.UserService/PasswordReset",
        "zitadel.session.v2.SessionService/CreateSession",
        "zitadel.settings.v2.SettingsService/GetPasswordComplexitySettings",
        "latchkey.audit.v1.AuditService/ListEvents",
        "latchkey.user.v1.UserImportService/ImportUsers",
        "grpc.health.v1.Health/Check",
        "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      ]),
    );

    const auth = ["-H", `Authorization: Bearer ${server.adminToken}`];
    const added = await bufCurl([...auth, "-d", JSON.stringify(humanUser()), `${server.baseUrl}/zitadel.user.v2.UserService/AddHumanUser`]);
    expect(added.code).toBe(0);
    const { userId } = JSON.parse(added.stdout) as { userId: string };
    const setPassword = (body: object) =>
      bufCurl([...auth, "-d", JSON.stringify(body), `${server.baseUrl}/zitadel.user.v2.UserService/SetPassword`]);
    const changed = await setPassword({ userId, newPassword: { password: OTHER_PASSWORD }, currentPassword: STRONG_PASSWORD });
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ details: { sequence: "2", changeDate: expect.any(String) } });
    const refused = await setPassword({ userId, newPassword: { password: "short" } });
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.stderr)).toMatchObject({
      code: "invalid_argument",
      details: [{ type: "google.rpc.ErrorInfo" }, { type: "google.rpc.BadRequest" }],
    });
  });

  for (const version of ["v1", "v1alpha"]) {
    it(`answers grpc-js's reflection requests over ${version}: services, files with their imports, error details, and not-found`, async () => {
      const answers = await reflect(server, version, [
        { listServices: "" },
        { fileContainingSymbol: "zitadel.user.v2.UserService.SetPassword" },
        { fileContainingSymbol: "google.rpc.BadRequest" },
        { fileByFilename: "zitadel/user/v2/user_service.proto" },
        { allExtensionNumbersOfType: "google.protobuf.MethodOptions" },
        { fileContainingSymbol: "no.such.Thing" },
      ]);
      expect(answers[0].listServicesResponse.service.map((s: { name: string }) => s.name)).toContain("zitadel.user.v2.UserService");

      // The files answer for the method, with every import: enough to build the whole schema.
      const files = answers[1].fileDescriptorResponse.fileDescriptorProto.map((b: Buffer) => fromBinary(FileDescriptorProtoSchema, b));
      expect(files[0].name).toBe("zitadel/user/v2/user_service.proto");
      const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: dependenciesFirst(files) }));
      const service = registry.getService("zitadel.user.v2.UserService")!;
      const setPassword = service.methods.find((m) => m.name === "SetPassword")!;
      expect(setPassword.input.fields.map((f) => f.name)).toEqual(
        expect.arrayContaining(["user_id", "new_password", "current_password", "verification_code"]),
      );

      const details = fromBinary(FileDescriptorProtoSchema, answers[2].fileDescriptorResponse.fileDescriptorProto[0]);
      expect(details.name).toBe("google/rpc/error_details.proto");
      // Asked again on the same stream: the file itself, without the imports sent before.
      expect(answers[3].fileDescriptorResponse.fileDescriptorProto).toHaveLength(1);
      expect(answers[4].allExtensionNumbersResponse).toEqual({
        baseTypeName: "google.protobuf.MethodOptions",
        extensionNumber: expect.arrayContaining([72295728]),
      });
      expect(answers[5].errorResponse).toMatchObject({ errorCode: grpc.status.NOT_FOUND });
      expect(answers[5].originalRequest).toMatchObject({ fileContainingSymbol: "no.such.Thing" });
    });
  }

  it("is off with LATCHKEY_REFLECTION=false", async () => {
    const listed = await bufCurl(["--list-methods", dark.baseUrl]);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toMatch(/unimplemented/i);
    await expect(reflect(dark, "v1", [{ listServices: "" }])).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });
});

/** One bidirectional stream of reflection requests through @grpc/grpc-js, with the answers in order. */
async function reflect(target: TestServer, version: string, requests: object[]): Promise<any[]> {
  const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, {
    includeDirs: [join(ROOT, "proto")],
    oneofs: true,
    defaults: false,
  });
  const packages = grpc.loadPackageDefinition(definition) as any;
  const Client = packages.grpc.reflection[version].ServerReflection as grpc.ServiceClientConstructor;
  const client = new Client(new URL(target.baseUrl).host, grpc.credentials.createInsecure()) as any;
  try {
    return await new Promise((resolve, reject) => {
      const answers: any[] = [];
      const call = client.ServerReflectionInfo();
      call.on("data", (answer: any) => answers.push(answer));
      call.on("error", reject);
      call.on("end", () => resolve(answers));
      for (const request of requests) call.write({ host: "", ...request });
      call.end();
    });
  } finally {
    client.close();
  }
}

/** Files in an order where each comes after its imports, as a FileDescriptorSet wants them. */
function dependenciesFirst(files: FileDescriptorProto[]): FileDescriptorProto[] {
  const byName = new Map(files.map((f) => [f.name, f]));
  const ordered: FileDescriptorProto[] = [];
  const visit = (file: FileDescriptorProto) => {
    if (ordered.includes(file)) return;
    for (const dependency of file.dependency) visit(byName.get(dependency)!);
    ordered.push(file);
  };
  files.forEach(visit);
  return ordered;
}
