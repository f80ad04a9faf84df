// Parse Argdown files with the reference parser (@argdown/core) and print, per file, one JSON line:
// lexer and parser errors, the statements with their tags, and the relations between them.
const fs = require("fs");
const { ArgdownApplication, ParserPlugin, ModelPlugin } = require("@argdown/core");

const app = new ArgdownApplication();
app.addPlugin(new ParserPlugin(), "parse-input");
app.addPlugin(new ModelPlugin(), "build-model");

for (const file of process.argv.slice(2)) {
  const response = app.run({
    input: fs.readFileSync(file, "utf8"),
    process: ["parse-input", "build-model"],
    logLevel: "error",
  });
  const statements = Object.values(response.statements || {});
  console.log(JSON.stringify({
    file,
    errors: [...(response.lexerErrors || []), ...(response.parserErrors || []), ...(response.exceptions || [])]
      .map((e) => String(e.message || e)),
    statements: Object.fromEntries(statements.map((s) => [s.title, (s.tags || []).slice().sort()])),
    relations: (response.relations || []).map((r) => [r.from.title, r.to.title, r.relationType]),
  }));
}
