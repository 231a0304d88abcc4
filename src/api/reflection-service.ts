import { toBinary, type MessageInitShape, type DescExtension, type DescFile, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectRouter } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha), answered from the descriptors the
 * served code was generated with, so grpcurl, buf curl, Postman and Kreya need none of our protos.
 */
export function reflectionRoutes(served: readonly DescService[], alsoDescribed: readonly DescFile[]) {
  const reflection = [v1.ServerReflection, v1alpha.ServerReflection];
  const services = [...served, ...reflection];
  const index = new DescriptorIndex([...services.map((s) => s.file), ...alsoDescribed]);
  const serviceNames = services.map((s) => s.typeName).sort();
  return (router: ConnectRouter) => {
    for (const service of reflection) {
      router.service(service as typeof v1.ServerReflection, {
        serverReflectionInfo: (requests) => answerEach(index, serviceNames, requests),
      });
    }
  };
}

type Request = v1.ServerReflectionRequest;
type Answer = MessageInitShape<typeof v1.ServerReflectionResponseSchema>["messageResponse"];

async function* answerEach(index: DescriptorIndex, serviceNames: readonly string[], requests: AsyncIterable<Request>) {
  // As grpc-go does: each file's imports are sent once per stream; a file asked for, every time.
  const sent = new Set<string>();
  for await (const request of requests) {
    yield { validHost: request.host, originalRequest: request, messageResponse: answer(index, serviceNames, request, sent) };
  }
}

function answer(index: DescriptorIndex, serviceNames: readonly string[], request: Request, sent: Set<string>): Answer {
  const files = (file: DescFile | undefined, what: string): Answer =>
    file === undefined ? notFound(what) : { case: "fileDescriptorResponse", value: { fileDescriptorProto: index.withImports(file, sent) } };
  const { messageRequest: asked } = request;
  switch (asked.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: serviceNames.map((name) => ({ name })) } };
    case "fileByFilename":
      return files(index.file(asked.value), `file ${asked.value}`);
    case "fileContainingSymbol":
      return files(index.fileOfSymbol(asked.value), `symbol ${asked.value}`);
    case "fileContainingExtension": {
      const extension = index.extensionsOf(asked.value.containingType).find((e) => e.number === asked.value.extensionNumber);
      return files(extension?.file, `extension ${asked.value.extensionNumber} of ${asked.value.containingType}`);
    }
    case "allExtensionNumbersOfType":
      if (!index.isMessage(asked.value)) return notFound(`message type ${asked.value}`);
      return {
        case: "allExtensionNumbersResponse",
        value: { baseTypeName: asked.value, extensionNumber: index.extensionsOf(asked.value).map((e) => e.number) },
      };
    default:
      return { case: "errorResponse", value: { errorCode: Code.InvalidArgument, errorMessage: "the request names nothing to reflect on" } };
  }
}

const notFound = (what: string): Answer => ({ case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: `no ${what}` } });

/** Every file the served services need, their symbols, and each file serialized once. */
class DescriptorIndex {
  private readonly files = new Map<string, DescFile>();
  private readonly symbols = new Map<string, DescFile>();
  private readonly messages = new Set<string>();
  private readonly extensions = new Map<string, DescExtension[]>();
  private readonly serialized = new Map<string, Uint8Array>();

  constructor(roots: readonly DescFile[]) {
    const add = (file: DescFile): void => {
      if (this.files.has(file.proto.name)) return;
      this.files.set(file.proto.name, file);
      this.serialized.set(file.proto.name, toBinary(FileDescriptorProtoSchema, file.proto));
      for (const service of file.services) {
        this.symbols.set(service.typeName, file);
        for (const method of service.methods) this.symbols.set(`${service.typeName}.${method.name}`, file);
      }
      for (const e of file.enums) this.symbols.set(e.typeName, file);
      this.addExtensions(file, file.extensions);
      this.addMessages(file, file.messages);
      file.dependencies.forEach(add);
    };
    roots.forEach(add);
  }

  private addMessages(file: DescFile, messages: readonly DescMessage[]): void {
    for (const message of messages) {
      this.symbols.set(message.typeName, file);
      this.messages.add(message.typeName);
      for (const e of message.nestedEnums) this.symbols.set(e.typeName, file);
      this.addExtensions(file, message.nestedExtensions);
      this.addMessages(file, message.nestedMessages);
    }
  }

  private addExtensions(file: DescFile, extensions: readonly DescExtension[]): void {
    for (const extension of extensions) {
      this.symbols.set(extension.typeName, file);
      const extendee = extension.extendee.typeName;
      this.extensions.set(extendee, [...(this.extensions.get(extendee) ?? []), extension]);
    }
  }

  file(name: string): DescFile | undefined {
    return this.files.get(name);
  }

  /** A fully-qualified service, method, message, enum or extension name; a leading dot is allowed. */
  fileOfSymbol(symbol: string): DescFile | undefined {
    return this.symbols.get(symbol.replace(/^\./, ""));
  }

  isMessage(typeName: string): boolean {
    return this.messages.has(typeName.replace(/^\./, ""));
  }

  extensionsOf(typeName: string): DescExtension[] {
    return this.extensions.get(typeName.replace(/^\./, "")) ?? [];
  }

  /** The file, then those of its imports (transitively) this stream has not had yet. */
  withImports(file: DescFile, sent: Set<string>): Uint8Array[] {
    const out: Uint8Array[] = [];
    const queue = [file];
    for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
      if (out.length > 0 && sent.has(current.proto.name)) continue;
      sent.add(current.proto.name);
      out.push(this.serialized.get(current.proto.name)!);
      queue.push(...current.dependencies);
    }
    return out;
  }
}
