// A parser for the part of libconfig's grammar that proxysql.cnf uses. ProxySQL reads its config file
// with libconfig (the header of the file it writes says so); npm has no maintained libconfig parser, so
// this is the subset, written from the grammar in the libconfig manual
// (https://hyperrealm.github.io/libconfig/libconfig_manual.html#Configuration-Files):
//
//   setting = name (":" | "=") value [";" | ","]      name  = [A-Za-z*][-A-Za-z0-9_*]*
//   value   = scalar | array | list | group           array = "[" scalar, ... "]"
//   list    = "(" value, ... ")"                      group = "{" setting ... "}"
//   scalar  = boolean (true/false, any case) | integer (decimal or 0x hex, optional L/LL suffix)
//           | float | string ("..." with \\ \" \f \n \r \t \xNN; adjacent strings are joined)
//   comments: "# ...", "// ..." to the end of the line, "/* ... */"
//
// Left out (an error, as a libconfig without them would report): @include, trailing commas.
// Integers are bigints and floats numbers, so that a caller can tell them apart as libconfig's typed
// lookups do (ProxySQL asks for an int, a bool or a string and gets nothing on a type mismatch).

export type Scalar = boolean | bigint | number | string;
export type Value = Scalar | Value[] | Group;
export interface Group {
  [name: string]: Value;
}

export class ConfigSyntaxError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

export function parseLibconfig(text: string): Group {
  const p = new Parser(text);
  const root = p.settings(null);
  return root;
}

class Parser {
  #text: string;
  #pos = 0;
  constructor(text: string) {
    this.#text = text;
  }

  settings(close: string | null): Group {
    const group: Group = {};
    for (;;) {
      this.#skip();
      if (close === null ? this.#pos >= this.#text.length : this.#peek() === close) break;
      if (this.#pos >= this.#text.length) this.#fail(`missing '${close}'`);
      if (this.#peek() === '@') this.#fail('directives such as @include are not supported');
      const name = this.#name();
      if (Object.hasOwn(group, name)) this.#fail(`duplicate setting name '${name}'`);
      this.#skip();
      const sep = this.#peek();
      if (sep !== '=' && sep !== ':') this.#fail(`expected '=' or ':' after '${name}'`);
      this.#pos++;
      group[name] = this.#value();
      this.#skip();
      if (this.#peek() === ';' || this.#peek() === ',') this.#pos++;
    }
    if (close !== null) this.#pos++;
    return group;
  }

  #value(): Value {
    this.#skip();
    const c = this.#peek();
    if (c === '{') {
      this.#pos++;
      return this.settings('}');
    }
    if (c === '(') return this.#sequence(')', false);
    if (c === '[') return this.#sequence(']', true);
    return this.#scalar();
  }

  #sequence(close: string, scalarsOnly: boolean): Value[] {
    this.#pos++;
    const items: Value[] = [];
    this.#skip();
    if (this.#peek() === close) {
      this.#pos++;
      return items;
    }
    for (;;) {
      this.#skip();
      const item = scalarsOnly ? this.#scalar() : this.#value();
      items.push(item);
      this.#skip();
      const c = this.#peek();
      if (c === close) {
        this.#pos++;
        return items;
      }
      if (c !== ',') this.#fail(`expected ',' or '${close}'`);
      this.#pos++;
      this.#skip();
      if (this.#peek() === close) this.#fail(`trailing ',' before '${close}'`);
    }
  }

  #scalar(): Scalar {
    this.#skip();
    if (this.#peek() === '"') {
      let s = this.#string();
      for (;;) {
        this.#skip();
        if (this.#peek() !== '"') return s;
        s += this.#string();
      }
    }
    const word = /^[-+]?(?:0[xX][0-9A-Fa-f]+|[0-9.]+(?:[eE][-+]?[0-9]+)?|[A-Za-z]+)L{0,2}/.exec(this.#text.slice(this.#pos));
    if (!word) this.#fail('expected a value');
    const w = word[0];
    this.#pos += w.length;
    if (/^true$/i.test(w)) return true;
    if (/^false$/i.test(w)) return false;
    if (/^[-+]?0[xX][0-9A-Fa-f]+L{0,2}$/.test(w)) {
      const neg = w.startsWith('-');
      const hex = BigInt(w.replace(/^[-+]/, '').replace(/L+$/, ''));
      return neg ? -hex : hex;
    }
    if (/^[-+]?[0-9]+L{0,2}$/.test(w)) return BigInt(w.replace(/L+$/, ''));
    if (/^[-+]?(?:[0-9]*\.[0-9]*|[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(w) && /[0-9]/.test(w)) return Number(w);
    this.#pos -= w.length;
    return this.#fail(`unexpected '${w}'`);
  }

  #string(): string {
    this.#pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.#pos >= this.#text.length) this.#fail('unterminated string');
      const c = this.#text[this.#pos++];
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.#text[this.#pos++];
      if (e === 'x') {
        const hex = this.#text.slice(this.#pos, this.#pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.#fail('bad \\x escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.#pos += 2;
      } else {
        const map: Record<string, string> = { '\\': '\\', '"': '"', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === undefined || !(e in map)) this.#fail(`bad escape '\\${e ?? ''}'`);
        out += map[e];
      }
    }
  }

  #name(): string {
    const m = /^[A-Za-z*][-A-Za-z0-9_*]*/.exec(this.#text.slice(this.#pos));
    if (!m) this.#fail('expected a setting name');
    this.#pos += m[0].length;
    return m[0];
  }

  /** Whitespace and the three kinds of comment. */
  #skip(): void {
    const t = this.#text;
    for (;;) {
      while (this.#pos < t.length && /\s/.test(t[this.#pos] as string)) this.#pos++;
      if (t[this.#pos] === '#' || t.startsWith('//', this.#pos)) {
        const end = t.indexOf('\n', this.#pos);
        this.#pos = end < 0 ? t.length : end + 1;
      } else if (t.startsWith('/*', this.#pos)) {
        const end = t.indexOf('*/', this.#pos + 2);
        if (end < 0) this.#fail('unterminated comment');
        this.#pos = end + 2;
      } else return;
    }
  }

  #peek(): string | undefined {
    return this.#text[this.#pos];
  }

  #fail(message: string): never {
    const line = this.#text.slice(0, this.#pos).split('\n').length;
    throw new ConfigSyntaxError(message, line);
  }
}
