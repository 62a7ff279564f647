import { quote } from './quote.js';

/** Text inserted verbatim: the one, greppable way to put unquoted shell into a command. */
export class Raw {
  constructor(readonly text: string) {}
}

/** A value quoted like any other but shown as `********` wherever a command is displayed. */
export class Secret {
  constructor(readonly value: string) {}
}

/** A whole Command passed as one quoted word (the script of `sh -c`), its secrets still masked on display. */
export class Quoted {
  constructor(readonly command: Command) {}
}

export const raw = (text: string): Raw => new Raw(text);
export const secret = (value: string): Secret => new Secret(value);
export const quoted = (command: Command): Quoted => new Quoted(command);

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'secret'; value: string }
  | { kind: 'quoted'; parts: readonly Part[] };

export type ShellValue = string | number | Raw | Secret | Quoted | Command | readonly ShellValue[];

const REDACTED = "'********'";

/**
 * Shell text built from a template: literal parts stay as written, every interpolated value is
 * quoted, arrays become space-separated quoted words, Commands nest, secrets are masked on display.
 */
export class Command {
  private rendered: string | undefined;

  private constructor(readonly parts: readonly Part[]) {}

  static of(strings: TemplateStringsArray, values: readonly ShellValue[]): Command {
    const parts: Part[] = [];
    strings.forEach((literal, index) => {
      appendText(parts, literal);
      if (index < values.length) appendParts(parts, toParts(values[index] as ShellValue));
    });
    return new Command(parts);
  }

  /** Join commands with a separator given as literal shell text (e.g. ' && ', '\n'). */
  static join(commands: readonly Command[], separator: string): Command {
    const parts: Part[] = [];
    commands.forEach((command, index) => {
      if (index > 0) appendText(parts, separator);
      appendParts(parts, command.parts);
    });
    return new Command(parts);
  }

  /** The exact text sent to the host (a Command never changes: rendered once). */
  render(): string {
    this.rendered ??= renderParts(this.parts);
    return this.rendered;
  }

  /** The text shown to people and written to reports: secrets masked. */
  redacted(): string {
    return redactParts(this.parts);
  }

  get secrets(): readonly string[] {
    return secretsOf(this.parts);
  }

  toString(): string {
    return this.redacted();
  }
}

/**
 * Adjacent text parts are kept as one: probes nest commands in commands, and every part costs
 * a step each time a command is nested or rendered.
 */
function appendText(parts: Part[], text: string): void {
  if (text === '') return;
  const last = parts.at(-1);
  if (last?.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: last.text + text };
  else parts.push({ kind: 'text', text });
}

function appendParts(parts: Part[], more: readonly Part[]): void {
  for (const part of more) {
    if (part.kind === 'text') appendText(parts, part.text);
    else parts.push(part);
  }
}

function renderParts(parts: readonly Part[]): string {
  return parts
    .map((part) =>
      part.kind === 'text' ? part.text : part.kind === 'secret' ? quote(part.value) : quote(renderParts(part.parts)),
    )
    .join('');
}

function redactParts(parts: readonly Part[]): string {
  return parts
    .map((part) => (part.kind === 'text' ? part.text : part.kind === 'secret' ? REDACTED : quote(redactParts(part.parts))))
    .join('');
}

function secretsOf(parts: readonly Part[]): string[] {
  return parts.flatMap((part) =>
    part.kind === 'secret' ? [part.value] : part.kind === 'quoted' ? secretsOf(part.parts) : [],
  );
}

function toParts(value: ShellValue): Part[] {
  if (value instanceof Command) return [...value.parts];
  if (value instanceof Quoted) return [{ kind: 'quoted', parts: value.command.parts }];
  if (value instanceof Raw) return [{ kind: 'text', text: value.text }];
  if (value instanceof Secret) return [{ kind: 'secret', value: value.value }];
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => (index === 0 ? toParts(item) : [{ kind: 'text', text: ' ' } as Part, ...toParts(item)]));
  }
  return [{ kind: 'text', text: quote(String(value)) }];
}

/** Tagged template: sh`test -e ${path}` quotes `path`. */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): Command {
  return Command.of(strings, values);
}
