// SQL text shared by the adapter modules' raw reads on MariaDB/MySQL.
"use strict";

/**
 * The instant in the DATETIME or TIMESTAMP column `col` as ISO 8601 text in UTC, for a
 * column the adapter wrote in UTC (its driver's or ORM's `timezone: "+00:00"`, or a session
 * time zone of UTC).
 */
const iso = (col) => `DATE_FORMAT(${col}, '%Y-%m-%dT%H:%i:%s.%fZ')`;

module.exports = { iso };
