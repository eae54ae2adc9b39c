// SQL shared by the adapter modules' raw reads (`stored`).
"use strict";

/**
 * MariaDB/MySQL: the instant in the DATETIME or TIMESTAMP column `col` as ISO 8601 text in
 * UTC, for a column the adapter wrote in UTC (its driver's or ORM's `timezone: "+00:00"`, or a
 * session time zone of UTC).
 */
const iso = (col) => `DATE_FORMAT(${col}, '%Y-%m-%dT%H:%i:%s.%fZ')`;

/**
 * PostgreSQL: the instant in the `timestamp` (without time zone) column `col`, which the
 * adapter wrote in UTC, as ISO 8601 text.
 */
const pgIso = (col) => `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A raw read of `sql` whose rows need more than SQL: each field named in `convert` goes
 * through its function (TypeORM's epoch-millisecond text to ISO 8601, MariaDB's TINYINT
 * booleans to true and false).
 */
function converted(sql, convert) {
  return async (raw) =>
    (await raw.query(sql)).map((row) => {
      const out = { ...row };
      for (const [field, f] of Object.entries(convert)) out[field] = f(row[field]);
      return out;
    });
}

module.exports = { iso, pgIso, converted };
