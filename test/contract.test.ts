import { getOption, hasOption, ScalarType, type DescField, type DescMessage, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { http as referenceHttp } from "@zitadel/proto/google/api/annotations_pb.js";
import { options as referenceOptions } from "@zitadel/proto/zitadel/protoc_gen_zitadel/v2/options_pb.js";
import { SessionService as ReferenceSessionService } from "@zitadel/proto/zitadel/session/v2/session_service_pb.js";
import { SettingsService as ReferenceSettingsService } from "@zitadel/proto/zitadel/settings/v2/settings_service_pb.js";
import { UserService as ReferenceUserService } from "@zitadel/proto/zitadel/user/v2/user_service_pb.js";
import { CredentialsCheckErrorSchema as ReferenceCredentialsCheckError } from "@zitadel/proto/zitadel/message_pb.js";
import { describe, expect, it } from "vitest";
import { http } from "../gen/google/api/annotations_pb.js";
import { CredentialsCheckErrorSchema } from "../gen/zitadel/message_pb.js";
import { options } from "../gen/zitadel/protoc_gen_zitadel/v2/options_pb.js";
import { SessionService } from "../gen/zitadel/session/v2/session_service_pb.js";
import { SettingsService } from "../gen/zitadel/settings/v2/settings_service_pb.js";
import { UserService } from "../gen/zitadel/user/v2/user_service_pb.js";

/** What the wire depends on: number, name (for JSON), kind, type, cardinality, oneof. */
function shape(field: DescField) {
  const type =
    field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar")
      ? ScalarType[field.scalar!]
      : field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")
        ? field.enum!.typeName
        : field.message?.typeName;
  return { number: field.number, name: field.name, jsonName: field.jsonName, kind: field.fieldKind, type, oneof: field.oneof?.name };
}

/** Walks every message reachable from ours and checks it against ZITADEL's published one. */
function compareMessages(ours: DescMessage, reference: DescMessage, seen = new Set<string>()): void {
  if (seen.has(ours.typeName)) return;
  seen.add(ours.typeName);
  expect(ours.typeName).toBe(reference.typeName);
  for (const field of ours.fields) {
    const counterpart = reference.fields.find((f) => f.number === field.number);
    expect(counterpart, `${ours.typeName}.${field.name} (${field.number}) is not in ZITADEL's message`).toBeDefined();
    expect(shape(field), `${ours.typeName}.${field.name}`).toEqual(shape(counterpart!));
    if (field.enum && counterpart!.enum) {
      for (const value of field.enum.values) {
        expect(counterpart!.enum.values.find((v) => v.number === value.number)?.name).toBe(value.name);
      }
    }
    if (field.message && counterpart!.message && !field.message.typeName.startsWith("google.protobuf.")) {
      compareMessages(field.message, counterpart!.message, seen);
    }
  }
}

const SERVICES: Array<[DescService, DescService, string[]]> = [
  [
    UserService,
    ReferenceUserService,
    [
      "AddHumanUser",
      "DeactivateUser",
      "GetUserByID",
      "ListUsers",
      "LockUser",
      "PasswordReset",
      "ReactivateUser",
      "SetPassword",
      "UnlockUser",
    ],
  ],
  [SessionService, ReferenceSessionService, ["CreateSession", "DeleteSession", "GetSession"]],
  [SettingsService, ReferenceSettingsService, ["GetLockoutSettings", "GetPasswordComplexitySettings"]],
];

describe("wire contract", () => {
  it.each(SERVICES)("serves ZITADEL's %s methods with the same names, messages, fields and numbers", (ours, reference, methods) => {
    expect(ours.typeName).toBe(reference.typeName);
    for (const method of ours.methods) {
      const counterpart = reference.methods.find((m) => m.name === method.name);
      expect(counterpart, `${method.name} is not a ZITADEL method`).toBeDefined();
      expect(method.methodKind).toBe(counterpart!.methodKind);
      compareMessages(method.input, counterpart!.input);
      compareMessages(method.output, counterpart!.output);
    }
    expect(ours.methods.map((m) => m.name).sort()).toEqual(methods);
  });

  it.each(SERVICES)("serves %s's methods at ZITADEL's REST paths, with ZITADEL's success codes", (ours, reference) => {
    for (const method of ours.methods) {
      const counterpart = reference.methods.find((m) => m.name === method.name)!;
      const rule = (m: DescMethod, ext: typeof http | typeof referenceHttp) => {
        const r = getOption(m, ext as typeof http);
        return {
          verb: r.pattern.case,
          path: r.pattern.value,
          body: r.body,
          responseBody: r.responseBody,
          more: r.additionalBindings.length,
        };
      };
      expect(hasOption(method, http), `${method.name} has no google.api.http rule`).toBe(true);
      expect(rule(method, http), method.name).toEqual(rule(counterpart, referenceHttp));
      const code = (m: DescMethod, ext: typeof options | typeof referenceOptions) =>
        hasOption(m, ext as typeof options) ? (getOption(m, ext as typeof options).httpResponse?.successCode ?? 200) : 200;
      expect(code(method, options), method.name).toBe(code(counterpart, referenceOptions));
    }
  });

  it("reports failed credential checks in ZITADEL's detail message", () => {
    compareMessages(CredentialsCheckErrorSchema, ReferenceCredentialsCheckError);
  });
});
