// The contract's error kinds recognised from a SQL driver's error (pg, mysql, mysql2,
// mariadb): shared by the v3 and the Auth.js children, each naming its own unique keys.
"use strict";

/**
 * The constraint (or index) and column a duplicate-key error names: PostgreSQL's
 * `constraint` and `detail` ("Key (email)=…"), MySQL/MariaDB's message ("for key
 * 'db.users.email'").
 */
function duplicateKeyNames(e) {
  const message = e.sqlMessage || e.message || "";
  const constraint = e.constraint || (/for key '(?:[^'.]*\.)?([^']+)'/.exec(message) || [])[1] || null;
  const columns = (/Key \(([^)]+)\)=/.exec(e.detail || "") || [])[1] || null;
  return { constraint, columns };
}

/**
 * The reply's `error` for a driver error `e` (already unwrapped from an ORM's wrapper), or
 * null when it is none of the kinds the contract names. `uniqueKey({constraint, columns})`
 * names the contract's key of a duplicate-key error, or null (then it is a backend error:
 * a conflict on a key the contract does not know is not a Conflict). `message` is the text
 * the reply carries.
 */
function sqlError(e, uniqueKey, message) {
  if (!e) return null;
  // PostgreSQL 23505 unique_violation, MySQL ER_DUP_ENTRY.
  if (e.code === "23505" || e.code === "ER_DUP_ENTRY" || e.errno === 1062) {
    const key = uniqueKey(duplicateKeyNames(e));
    return key ? { kind: "conflict", key, message } : null;
  }
  // PostgreSQL 22001 string_data_right_truncation, MySQL ER_DATA_TOO_LONG.
  if (e.code === "22001" || e.code === "ER_DATA_TOO_LONG" || e.errno === 1406) {
    const field = (/for column '([^']+)'/.exec(e.sqlMessage || "") || [])[1] || "value";
    return { kind: "invalid_input", field, message };
  }
  // MySQL ER_TRUNCATED_WRONG_VALUE: a value its column cannot hold, e.g. a 1969 instant in a
  // TIMESTAMP column ("Incorrect datetime value: '…' for column `db`.`users`.`email_verified`").
  if (e.code === "ER_TRUNCATED_WRONG_VALUE" || e.errno === 1292) {
    const field = (/for column (?:`[^`]*`\.)*[`']([^`']+)[`']/.exec(e.sqlMessage || "") || [])[1] || "value";
    return { kind: "invalid_input", field, message };
  }
  // PostgreSQL 22021 (a NUL in text) / MySQL ER_TRUNCATED_WRONG_VALUE_FOR_FIELD.
  if (e.code === "22021" || e.code === "ER_TRUNCATED_WRONG_VALUE_FOR_FIELD" || e.errno === 1366) {
    return { kind: "invalid_input", field: "value", message };
  }
  return null;
}

module.exports = { sqlError, duplicateKeyNames };
