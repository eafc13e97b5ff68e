/**
 * The stores' SQL is written for both engines; what PostgreSQL needs differently is done
 * here, once per statement text: better-sqlite3's placeholders (`?` in order, `@name`,
 * `:name`, `$name`) become `$1…$n`, and SQLite's `INDEXED BY` hint goes (PostgreSQL's
 * planner picks the same partial index by itself). Quoted strings, quoted identifiers and
 * comments are left as they are.
 */
export interface PgStatementText {
  text: string;
  /** The named parameter of each `$n`, in order; null when the statement uses `?`. */
  names: string[] | null;
  /** How many `?` it has. */
  positional: number;
}

export function toPostgres(sql: string): PgStatementText {
  let text = '';
  let positional = 0;
  const names: string[] = [];
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    const skip = quotedEnd(sql, i);
    if (skip > i) {
      text += sql.slice(i, skip);
      i = skip;
    } else if (c === '?') {
      text += `$${++positional}`;
      i++;
    } else if ((c === '@' || c === ':' || c === '$') && /[A-Za-z_]/.test(sql[i + 1] ?? '') && sql[i - 1] !== ':') {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      text += `$${index + 1}`;
      i += name.length + 1;
    } else {
      text += c;
      i++;
    }
  }
  if (positional > 0 && names.length > 0) throw new Error('a statement mixes ? and named parameters');
  return { text: text.replace(/\s+INDEXED\s+BY\s+\w+/gi, ''), names: names.length > 0 ? names : null, positional };
}

/** Where the quoted string, quoted identifier or comment starting at `i` ends (`i` when none starts there). */
function quotedEnd(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    for (;;) {
      const close = sql.indexOf(c, j);
      if (close < 0) return sql.length;
      if (sql[close + 1] !== c) return close + 1;
      j = close + 2; // a doubled quote inside
    }
  }
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  return i;
}

/** The values for `$1…$n`, from better-sqlite3-style arguments: values in order, or one object of named values. */
export function bindValues(statement: PgStatementText, params: unknown[]): unknown[] {
  const flat = params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params;
  if (statement.names) {
    const named = flat[0];
    if (flat.length !== 1 || typeof named !== 'object' || named === null || Buffer.isBuffer(named)) {
      throw new TypeError('this statement takes one object of named parameters');
    }
    return statement.names.map((name) => {
      if (!(name in named)) throw new RangeError(`missing named parameter "${name}"`);
      return check((named as Record<string, unknown>)[name]);
    });
  }
  if (flat.length !== statement.positional) {
    throw new RangeError(`this statement takes ${statement.positional} parameters, not ${flat.length}`);
  }
  return flat.map(check);
}

/** better-sqlite3 refuses what SQLite can't store; so does this, so both engines fail alike. */
function check(value: unknown): unknown {
  if (value === undefined) throw new TypeError('undefined is not a SQL value (use null)');
  if (typeof value === 'boolean') throw new TypeError('booleans are stored as 1 and 0');
  if (typeof value === 'bigint') return value.toString();
  return value;
}
