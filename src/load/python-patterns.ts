import { blockinfileRegexArgument, expandMarkerWord } from '../modules/blockinfile.js';
import { lineinfileRegexArguments } from '../modules/lineinfile.js';
import { pythonRegexMessage } from '../modules/lib/text-edit.js';
import { PythonRegexError, translatePythonRegex, parsePythonTemplate, type PythonRegexOptions } from '../modules/lib/python-regex.js';
import { compileReplace } from '../modules/replace.js';
import { hasTemplate } from '../template/index.js';

/**
 * Module arguments that are Python regular expressions (Ansible's meaning), checked at validation:
 * a construct runbook does not translate is refused with the argument's position. Templated values
 * are checked when the task runs, with the same message.
 */
export interface PatternProblem {
  argument: string;
  message: string;
  /** What to write instead, when it is not a matter of the regular expressions runbook translates. */
  hint?: string;
}

interface PatternArguments {
  /** The arguments holding patterns, and how each is compiled. */
  patterns(args: Record<string, unknown>): Array<{ argument: string; pattern: string; options: PythonRegexOptions }>;
  /** The argument holding a replacement template for the pattern in `of`, if it is expanded. */
  template?(args: Record<string, unknown>): { argument: string; template: string; of: string } | undefined;
  /** A last check of the arguments together (replace's after and before make one pattern). */
  together?(args: Record<string, unknown>): PatternProblem | undefined;
}

/** What a replacement template (Python's re.sub) allows, for a refused one. */
function replacementHint(argument: string): string {
  return `${argument} is a Python replacement template, as in Ansible: a backslash must start an escape Python knows (\\1, \\g<name>, \\n); write \\\\ for one backslash`;
}

const strings = (args: Record<string, unknown>, names: readonly string[]) => names.filter((name) => typeof args[name] === 'string');

export const PYTHON_PATTERN_ARGUMENTS: Readonly<Record<string, PatternArguments>> = {
  lineinfile: {
    patterns: (args) => lineinfileRegexArguments(args).map((found) => ({ ...found, options: { flavor: 'bytes' } })),
    template: (args) => {
      const argument = args.line !== undefined ? 'line' : 'value';
      const template = args[argument];
      const of = args.regexp !== undefined ? 'regexp' : 'regex';
      return args.backrefs === true && typeof template === 'string' && typeof args[of] === 'string' ? { argument, template, of } : undefined;
    },
  },
  blockinfile: {
    patterns: (args) => {
      const found = blockinfileRegexArgument(args);
      return found === undefined ? [] : [{ ...found, options: { flavor: 'bytes' } }];
    },
    together: (args) => {
      for (const argument of ['marker_begin', 'marker_end']) {
        const word = args[argument];
        if (typeof word !== 'string' || hasTemplate(word)) continue;
        try {
          expandMarkerWord(argument, word);
        } catch (error) {
          return { argument, message: `blockinfile: ${(error as Error).message}`, hint: replacementHint(argument) };
        }
      }
      return undefined;
    },
  },
  replace: {
    patterns: (args) =>
      strings(args, ['regexp', 'after', 'before']).map((argument) => ({
        argument,
        pattern: args[argument] as string,
        options: argument === 'regexp' ? { flavor: 'str', multiline: true } : { flavor: 'str', dotAll: true },
      })),
    template: (args) => (typeof args.replace === 'string' ? { argument: 'replace', template: args.replace, of: 'regexp' } : undefined),
    together: (args) => {
      const [regexp, after, before] = [args.regexp, args.after, args.before];
      if (typeof after !== 'string' || typeof before !== 'string' || typeof regexp !== 'string' || [regexp, after, before].some(hasTemplate)) return undefined;
      try {
        compileReplace({ regexp, after, before });
      } catch (error) {
        return { argument: 'after', message: `replace: ${(error as Error).message}` };
      }
      return undefined;
    },
  },
};

export function pythonPatternProblems(module: string, args: Record<string, unknown>): PatternProblem[] {
  const spec = PYTHON_PATTERN_ARGUMENTS[module];
  if (spec === undefined) return [];
  const problems: PatternProblem[] = [];
  const compiled = new Map<string, ReturnType<typeof translatePythonRegex>>();
  for (const { argument, pattern, options } of spec.patterns(args)) {
    if (hasTemplate(pattern)) continue;
    try {
      compiled.set(argument, translatePythonRegex(pattern, options));
    } catch (error) {
      if (!(error instanceof PythonRegexError)) throw error;
      problems.push({ argument, message: `${module}: ${pythonRegexMessage(argument, pattern, error)}` });
    }
  }
  const template = spec.template?.(args);
  const regex = template === undefined ? undefined : compiled.get(template.of);
  if (template !== undefined && regex !== undefined && !hasTemplate(template.template)) {
    try {
      parsePythonTemplate(template.template, regex);
    } catch (error) {
      if (!(error instanceof PythonRegexError)) throw error;
      problems.push({
        argument: template.argument,
        message: `${module}: ${pythonRegexMessage(template.argument, template.template, error)}`,
        hint: replacementHint(template.argument),
      });
    }
  }
  if (problems.length === 0) {
    const together = spec.together?.(args);
    if (together !== undefined) problems.push(together);
  }
  return problems;
}
