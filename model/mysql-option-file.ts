// MySQL's (and MariaDB's) option files, the `.cnf` files of a custom configuration: `[group]` headers,
// `name = value` or a bare `name`, `#` and `;` comments, `!include` / `!includedir`. Read strictly, the way the
// server would refuse them (an option before any group, a header not closed, a line that is none of these), and
// merged line by line so that what the user wrote stays as written. The grammar is small and a general INI
// parser would lose what matters here (bare options, `!include`, the order, `-` and `_` being one character in
// option names), so it is read here.

export type OptionFileCheck = { ok: true } | { ok: false; line: number; message: string };

interface Group {
  name: string;
  /** Index of the group's last option line (its header's while it has none): where a new option goes. */
  last: number;
  /** option name (normalised) → its line. */
  options: Map<string, number>;
}

interface Parsed {
  lines: string[];
  groups: Group[];
  /** Indexes of the `!include` / `!includedir` lines. */
  directives: number[];
}

const optionLine = /^([A-Za-z0-9][A-Za-z0-9_.-]*)\s*(?:=(.*))?$/;
/** MySQL reads `-` and `_` in option names as the same character. */
const normalised = (name: string) => name.replaceAll('-', '_');

// The messages name the line, never quote it: a configuration Secret may hold a password.
function parse(text: string): Parsed | { line: number; message: string } {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const groups: Group[] = [];
  const directives: number[] = [];
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('!')) {
      if (!/^!include(dir)?\s+\S/.test(line)) return { line: i + 1, message: 'is not a directive the server knows (!include <file> or !includedir <dir>)' };
      directives.push(i);
      continue;
    }
    if (line.startsWith('[')) {
      const name = /^\[\s*([^\]\s][^\]]*?)\s*\]\s*(?:[#;].*)?$/.exec(line)?.[1];
      if (!name) return { line: i + 1, message: 'is not a group header: write [mysqld]' };
      groups.push({ name, last: i, options: new Map() });
      continue;
    }
    const option = optionLine.exec(line);
    if (!option) return { line: i + 1, message: 'is not an option (name = value, or a bare name), a [group] header or a comment' };
    const group = groups.at(-1);
    if (!group) return { line: i + 1, message: 'is an option before any [group] header; put it under one, e.g. [mysqld]' };
    group.options.set(normalised(option[1]!), i);
    group.last = i;
  }
  return { lines, groups, directives };
}

const isParsed = (p: Parsed | { line: number; message: string }): p is Parsed => 'lines' in p;

/** Whether `text` is an option file the server reads. */
export function checkOptionFile(text: string): OptionFileCheck {
  const parsed = parse(text);
  return isParsed(parsed) ? { ok: true } : { ok: false, ...parsed };
}

/**
 * `base` with the options of `over` set, group by group: an option `base` has is replaced on its line (in the
 * last group of that name that has it: the one the server obeys), a new one goes after the last option of the
 * group's last occurrence, a new group at the end of the file, and so do `over`'s `!include` lines. Comments of
 * `over` are not carried. Both must pass checkOptionFile.
 */
export function mergeOptionFiles(base: string, over: string): string {
  const b = parse(base);
  const o = parse(over);
  if (!isParsed(b) || !isParsed(o)) throw new Error('mergeOptionFiles: both files must pass checkOptionFile first');
  const lines = [...b.lines];
  const appended = new Map<number, string[]>();
  const added = new Map<string, string[]>();
  for (const group of o.groups) {
    const targets = b.groups.filter((g) => g.name === group.name);
    for (const [name, at] of group.options) {
      const line = o.lines[at]!.trim();
      const existing = targets.findLast((g) => g.options.has(name))?.options.get(name);
      const end = targets.at(-1)?.last;
      if (existing !== undefined) lines[existing] = line;
      else if (end !== undefined) appended.set(end, [...(appended.get(end) ?? []), line]);
      else added.set(group.name, [...(added.get(group.name) ?? []), line]);
    }
  }
  const tail = [...[...added].flatMap(([name, options]) => [`[${name}]`, ...options]), ...o.directives.map((i) => o.lines[i]!.trim())];
  const out = [...(base.trim() === '' ? [] : lines.flatMap((line, i) => [line, ...(appended.get(i) ?? [])])), ...tail];
  return `${out.join('\n')}\n`;
}
