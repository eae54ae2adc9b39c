//! Facts read from a DDL script with `sqlparser`: the same reading for the documented DDL
//! and for ours, so that spelling differences of the parser cancel out.

use super::{ColumnFacts, IndexFacts, TableFacts};
use nextauth_adapter_sql::Dialect;
use sqlparser::ast::{ColumnOption, CreateIndex, CreateTable, Expr, Statement, TableConstraint};
use sqlparser::dialect::{MsSqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use std::collections::BTreeMap;

/// Parses `sql` in `dialect` and collects its tables, columns and indexes.
pub fn facts_from_ddl(dialect: Dialect, sql: &str) -> Result<BTreeMap<String, TableFacts>, String> {
    let parser: Box<dyn sqlparser::dialect::Dialect> = match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::MySql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::MsSql => Box::new(MsSqlDialect {}),
    };
    let statements = Parser::parse_sql(parser.as_ref(), sql).map_err(|e| e.to_string())?;
    let mut tables = BTreeMap::new();
    for statement in &statements {
        match statement {
            Statement::CreateTable(create) => {
                let (name, table) = table_facts(create)?;
                tables.insert(name, table);
            }
            Statement::CreateIndex(create) => {
                let (table, index) = index_facts(create)?;
                tables
                    .get_mut(&table)
                    .ok_or_else(|| format!("index {} on unknown table {table}", index.name))?
                    .indexes
                    .push(index);
            }
            other => return Err(format!("unexpected statement: {other}")),
        }
    }
    Ok(tables)
}

/// The unquoted last part of a possibly qualified name.
fn last_ident(name: &sqlparser::ast::ObjectName) -> Result<String, String> {
    name.0
        .last()
        .and_then(|part| part.as_ident())
        .map(|ident| ident.value.clone())
        .ok_or_else(|| format!("unsupported name {name}"))
}

/// An expression with identifier quotes removed, for comparison across quoting styles.
fn unquoted(expr: &impl std::fmt::Display) -> String {
    expr.to_string()
        .chars()
        .filter(|c| !matches!(c, '"' | '`' | '[' | ']'))
        .collect()
}

/// A key column's name (plain column references only).
fn key_column(expr: &Expr) -> Result<String, String> {
    match expr {
        Expr::Identifier(ident) => Ok(ident.value.clone()),
        other => Err(format!("unsupported key expression {other}")),
    }
}

fn table_facts(create: &CreateTable) -> Result<(String, TableFacts), String> {
    let mut table = TableFacts::default();
    for constraint in &create.constraints {
        match constraint {
            TableConstraint::PrimaryKey(key) => {
                table.primary_key = key
                    .columns
                    .iter()
                    .map(|c| key_column(&c.column.expr))
                    .collect::<Result<_, _>>()?;
            }
            other => return Err(format!("unexpected table constraint {other}")),
        }
    }
    for column in &create.columns {
        let mut facts = ColumnFacts {
            name: column.name.value.clone(),
            column_type: column.data_type.to_string().to_uppercase(),
            nullable: true,
            default: None,
        };
        for option in &column.options {
            match &option.option {
                ColumnOption::Null => facts.nullable = true,
                ColumnOption::NotNull => facts.nullable = false,
                ColumnOption::Default(expr) => facts.default = Some(unquoted(expr).to_uppercase()),
                ColumnOption::PrimaryKey(_) => table.primary_key = vec![facts.name.clone()],
                ColumnOption::Identity(kind) => {
                    // `IDENTITY(1, 1)` as parsed, `IDENTITY(1,1)` as written in the docs.
                    let identity = kind.to_string().to_uppercase().replace(", ", ",");
                    facts.column_type = format!("{} {identity}", facts.column_type);
                }
                ColumnOption::DialectSpecific(tokens) => {
                    let words: Vec<String> = tokens
                        .iter()
                        .map(|t| t.to_string().to_uppercase())
                        .collect();
                    facts.column_type = format!("{} {}", facts.column_type, words.join(" "));
                }
                ColumnOption::Collation(name) => {
                    facts.column_type = format!("{} COLLATE {name}", facts.column_type);
                }
                other => return Err(format!("unexpected column option {other}")),
            }
        }
        table.columns.push(facts);
    }
    for column in &mut table.columns {
        if table.primary_key.contains(&column.name) {
            column.nullable = false;
        }
    }
    table.options = create.table_options.to_string().trim().to_owned();
    Ok((last_ident(&create.name)?, table))
}

fn index_facts(create: &CreateIndex) -> Result<(String, IndexFacts), String> {
    let name = create
        .name
        .as_ref()
        .ok_or("unnamed index")
        .and_then(|n| last_ident(n).map_err(|_| "bad index name"))?;
    let index = IndexFacts {
        name,
        unique: create.unique,
        columns: create
            .columns
            .iter()
            .map(|c| key_column(&c.column.expr))
            .collect::<Result<_, _>>()?,
        filter: create.predicate.as_ref().map(unquoted),
    };
    Ok((last_ident(&create.table_name)?, index))
}
