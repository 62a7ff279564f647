import type { CopyArgs } from '../schema/generated/copy.js';
import { fileWriteProbes, planFileWrite } from './lib/write-plan.js';
import type { ModuleDefinition } from './types.js';

export const copyModule: ModuleDefinition<CopyArgs> = {
  name: 'copy',
  summary: 'Write a file from inline content or a local file, atomically',
  probe: (args) => fileWriteProbes(args.dest),
  plan(args, probes, context) {
    const content = args.content !== undefined ? Buffer.from(args.content, 'utf8') : context.readLocalFile(args.src ?? '');
    return planFileWrite(
      {
        path: args.dest,
        content,
        attributes: { mode: args.mode, owner: args.owner, group: args.group },
        backup: args.backup ?? false,
        check: context.check,
        replace: args.force ?? true,
      },
      probes,
    );
  },
};
