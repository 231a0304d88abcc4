import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { GetLockoutSettingsRequestSchema } from "../../gen/zitadel/settings/v2/settings_service_pb.js";
import { ListUsersRequestSchema, SetPasswordRequestSchema } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { restError } from "../../src/server/rest/errors.js";
import { matchPath, parsePathTemplate } from "../../src/server/rest/path-template.js";
import { BadRestRequest, requestJson } from "../../src/server/rest/request-json.js";

describe("path templates", () => {
  it("bind variables, nested fields and the rest of a path, and refuse what does not fit", () => {
    const password = parsePathTemplate("/v2/users/{user_id}/password");
    expect(matchPath(password, "/v2/users/123/password")).toEqual(new Map([["user_id", "123"]]));
    expect(matchPath(password, "/v2/users/a%20b/password")).toEqual(new Map([["user_id", "a b"]]));
    expect(matchPath(password, "/v2/users//password")).toBeNull();
    expect(matchPath(password, "/v2/users/123/password/extra")).toBeNull();
    expect(matchPath(password, "/v2/users/%ZZ/password")).toBeNull();
    const nested = parsePathTemplate("/v1/{ctx.org_id}/things/{name=**}");
    expect(matchPath(nested, "/v1/o1/things/a/b/c")).toEqual(
      new Map([
        ["ctx.org_id", "o1"],
        ["name", "a/b/c"],
      ]),
    );
    const verb = parsePathTemplate("/v1/things/{id}:undo");
    expect(matchPath(verb, "/v1/things/7:undo")).toEqual(new Map([["id", "7"]]));
    expect(matchPath(verb, "/v1/things/7")).toBeNull();
  });
});

describe("request JSON", () => {
  it("takes the body, then path variables, then query parameters for what the body does not fill", () => {
    const body = { newPassword: { password: "x" }, user_id: "from-body" };
    expect(requestJson(SetPasswordRequestSchema, "*", body, new Map([["user_id", "7"]]), new URLSearchParams("ignored=1"))).toEqual({
      newPassword: { password: "x" },
      userId: "7",
    });
    expect(requestJson(GetLockoutSettingsRequestSchema, "", undefined, new Map(), new URLSearchParams("ctx.org_id=1&unknown=2"))).toEqual({
      ctx: { orgId: "1" },
    });
    expect(requestJson(GetLockoutSettingsRequestSchema, "", undefined, new Map(), new URLSearchParams("ctx.instance=true"))).toEqual({
      ctx: { instance: true },
    });
    expect(() => requestJson(GetLockoutSettingsRequestSchema, "", undefined, new Map(), new URLSearchParams("ctx.instance=yes"))).toThrow(
      BadRestRequest,
    );
    expect(() => requestJson(SetPasswordRequestSchema, "*", [1] as never, new Map(), new URLSearchParams())).toThrow(BadRestRequest);
    // Repeated fields collect repeated parameters; enums by name or number.
    expect(
      requestJson(
        ListUsersRequestSchema,
        "",
        undefined,
        new Map(),
        new URLSearchParams("sortingColumn=USER_FIELD_NAME_EMAIL&query.limit=5"),
      ),
    ).toEqual({ sortingColumn: "USER_FIELD_NAME_EMAIL", query: { limit: "5" } });
  });
});

describe("grpc-gateway's errors", () => {
  it("map every gRPC code to grpc-gateway's HTTP status, with the details as Any JSON", () => {
    const expected: Array<[Code, number]> = [
      [Code.Canceled, 499],
      [Code.Unknown, 500],
      [Code.InvalidArgument, 400],
      [Code.DeadlineExceeded, 504],
      [Code.NotFound, 404],
      [Code.AlreadyExists, 409],
      [Code.PermissionDenied, 403],
      [Code.ResourceExhausted, 429],
      [Code.FailedPrecondition, 400],
      [Code.Aborted, 409],
      [Code.OutOfRange, 400],
      [Code.Unimplemented, 501],
      [Code.Internal, 500],
      [Code.Unavailable, 503],
      [Code.DataLoss, 500],
      [Code.Unauthenticated, 401],
    ];
    for (const [code, status] of expected) {
      const error = new ConnectError("went wrong", code, undefined, [
        { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: "WHY", domain: "latchkey" }) },
      ]);
      expect(restError(error)).toEqual({
        status,
        body: {
          code,
          message: "went wrong",
          details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "WHY", domain: "latchkey" }],
        },
      });
    }
  });
});
