// Checks the typed contract (lib/api: each endpoint's request and response
// types, as dump_contract prints their schemas) against docs/openapi.yaml
// (issue 10): for every typed endpoint, the documented operation exists with
// the same auth and success status, and its request body or query parameters
// and its response's `data` have the same members as the types, each with a
// compatible type, the same nullability and the same required set; enums list
// the same names. Members typed as free JSON are not compared further.
//   node check_types.mjs OPENAPI.yaml CONTRACT.json
import fs from "node:fs";
import YAML from "yaml";

const [docPath, contractPath] = process.argv.slice(2);
const doc = YAML.parse(fs.readFileSync(docPath, "utf8"));
const contract = JSON.parse(fs.readFileSync(contractPath, "utf8"));
const failures = [];

const resolve = (obj) => {
  while (obj && obj.$ref) {
    obj = obj.$ref.slice(2).split("/").map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce((o, k) => o[k], doc);
  }
  return obj;
};

// A documented schema flattened to {types:Set, nullable, properties?, required?, items?, enum?, any}.
function flatten(schema) {
  schema = resolve(schema) ?? {};
  const out = { types: new Set(), nullable: false, any: false };
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    const parts = variants.map(flatten);
    for (const p of parts) {
      for (const t of p.types) out.types.add(t);
      if (p.nullable) out.nullable = true;
      if (p.any) out.any = true;
      if (p.properties) {
        out.properties = { ...(out.properties ?? {}), ...p.properties };
        const req = new Set(p.required);
        out.required = out.required ? new Set([...out.required].filter((r) => req.has(r))) : req;
      }
      if (p.items) out.items = p.items;
      if (p.enum) out.enum = [...(out.enum ?? []), ...p.enum];
    }
    return out;
  }
  let types = schema.type === undefined ? [] : [].concat(schema.type);
  if (schema.const !== undefined && types.length === 0) types = [typeof schema.const === "string" ? "string" : "other"];
  if (schema.enum && types.length === 0) types = ["string"];
  if (types.length === 0 && !schema.properties && !schema.items) out.any = true;
  for (const t of types) t === "null" ? (out.nullable = true) : out.types.add(t);
  if (schema.properties) {
    out.types.add("object");
    out.properties = schema.properties;
    out.required = new Set(schema.required ?? []);
  }
  if (schema.items) out.items = schema.items;
  if (schema.enum) out.enum = schema.enum.filter((e) => e !== null);
  return out;
}

// Compares a type's schema (from wire.hpp schema_of) with a documented one.
function compare(where, mine, documented, isRequest) {
  if (!mine || Object.keys(mine).length === 0) return;  // free JSON
  const d = flatten(documented);
  if (d.any) return;
  const t = mine.type;
  if (!d.types.has(t)) failures.push(`${where}: the type is ${t}, the document says ${[...d.types].join("|") || "?"}`);
  if (!!mine.nullable !== d.nullable && !isRequest)
    failures.push(`${where}: ${mine.nullable ? "may be null" : "is never null"} in the type, ` +
                  `${d.nullable ? "may be null" : "never null"} in the document`);
  if (mine.enum && d.enum) {
    const a = [...mine.enum].sort().join(","), b = [...new Set(d.enum)].sort().join(",");
    // A request's parser may accept fewer names than its enum has (a unit is set idle or offline only).
    const narrowed = isRequest && d.enum.every((n) => mine.enum.includes(n));
    if (a !== b && !narrowed) failures.push(`${where}: names ${a} in the type, ${b} in the document`);
  }
  if (t === "array" && d.items) compare(`${where}[]`, mine.items, d.items, isRequest);
  if (t === "object" && mine.properties) {
    const docProps = d.properties ?? {};
    for (const k of Object.keys(mine.properties))
      if (!(k in docProps)) failures.push(`${where}.${k}: in the type, not in the document`);
    for (const k of Object.keys(docProps))
      if (!(k in mine.properties)) failures.push(`${where}.${k}: in the document, not in the type`);
    const req = new Set(mine.required ?? []);
    const docReq = d.required ?? new Set();
    for (const k of Object.keys(mine.properties)) {
      if (!(k in docProps)) continue;
      if (req.has(k) !== docReq.has(k))
        failures.push(`${where}.${k}: ${req.has(k) ? "required" : "optional"} in the type, ` +
                      `${docReq.has(k) ? "required" : "optional"} in the document`);
      compare(`${where}.${k}`, mine.properties[k], docProps[k], isRequest);
    }
  }
}

for (const e of contract) {
  const name = `${e.method} ${e.path}`;
  const op = doc.paths?.[e.path]?.[e.method.toLowerCase()];
  if (!op) { failures.push(`${name}: not in the document`); continue; }
  const open = Array.isArray(op.security) && op.security.length === 0;
  if (open !== (e.auth === "none")) failures.push(`${name}: auth ${e.auth} in the type, the document ${open ? "has security: []" : "needs a session"}`);
  const resp = resolve(op.responses?.[String(e.status)]);
  if (!resp) { failures.push(`${name}: success status ${e.status} not documented`); continue; }
  if (e.response === "raw") {
    if (resp.content?.["application/json"]) failures.push(`${name}: a raw body in the type, JSON in the document`);
  } else {
    const envelope = resolve(resp.content?.["application/json"]?.schema);
    const data = envelope?.properties?.data;
    if (!data) failures.push(`${name}: ${e.status} has no JSON envelope with data in the document`);
    else compare(`${name} → data`, e.response, data, false);
  }
  if (e.request_in === "body") {
    const body = resolve(op.requestBody)?.content?.["application/json"]?.schema;
    if (!body) failures.push(`${name}: a JSON body in the type, none in the document`);
    else if (e.request.properties && Object.keys(e.request.properties).length > 0)
      compare(`${name} ← body`, e.request, body, true);
  } else if (e.request_in === "query") {
    const params = (op.parameters ?? []).map(resolve).filter((p) => p.in === "query").map((p) => p.name).sort();
    const mine = Object.keys(e.request.properties ?? {}).sort();
    if (params.join(",") !== mine.join(","))
      failures.push(`${name}: query parameters ${mine.join(",")} in the type, ${params.join(",")} in the document`);
  }
}

if (failures.length) {
  console.error(`${failures.length} disagreement(s) between lib/api and docs/openapi.yaml:`);
  for (const f of failures) console.error("  " + f);
  process.exit(1);
}
console.log(`${contract.length} typed endpoints agree with the document`);
