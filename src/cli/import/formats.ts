import { auth0 } from "./formats/auth0.js";
import { django } from "./formats/django.js";
import { firebase } from "./formats/firebase.js";
import { keycloak } from "./formats/keycloak.js";
import { kratos } from "./formats/kratos.js";
import { ndjson } from "./formats/ndjson.js";
import type { SourceFormat } from "./source-record.js";

/** The export formats `import-users --format` reads, by name. */
export const FORMATS: Record<string, SourceFormat> = { ndjson, keycloak, auth0, firebase, django, kratos };
