// Generates the Prisma clients of @auth/prisma-adapter's documented schemas
// (fixtures/ecosystem/prisma-adapter/documented.{postgres,mysql}.prisma) into build/<dialect>/client,
// offline (bridge/node/lib/prisma-generate.js). ci/bridge.sh runs it after installing
// bridge/node/authjs; adapters/prisma.js loads the clients.
"use strict";
const path = require("path");
const fs = require("fs");
const { generateClient } = require("../../lib/prisma-generate");

const build = path.join(__dirname, "build");
const fixtures = path.join(__dirname, "..", "..", "..", "..", "fixtures", "ecosystem", "prisma-adapter");

for (const dialect of ["postgres", "mysql"]) {
  generateClient({
    prismaBin: path.join(__dirname, "..", "node_modules", ".bin", "prisma"),
    dir: path.join(build, dialect),
    schema: fs.readFileSync(path.join(fixtures, `documented.${dialect}.prisma`), "utf8"),
    cacheDir: path.join(build, ".cache"),
    by: "bridge/node/authjs/prisma/generate.js",
  });
}
