import { createHash } from 'node:crypto';
import type { TemplateArgs } from '../schema/generated/template.js';
import { withFileResult } from './lib/file-result.js';
import { readLocalSource } from './lib/local-files.js';
import { validateCommand } from './lib/validate.js';
import { currentFile, fileWriteProbes, planFileWrite } from './lib/write-plan.js';
import type { ModuleDefinition } from './types.js';

export const templateModule: ModuleDefinition<TemplateArgs> = {
  name: 'template',
  summary: 'Render a local template and write it like copy',
  probe: (args) => fileWriteProbes(args.dest),
  plan(args, probes, context) {
    const local = readLocalSource('templates', args.src, context);
    if (!local.found) return { kind: 'fail', message: local.message };
    const content = Buffer.from(context.renderTemplate(local.content.toString('utf8')), 'utf8');
    const plan = planFileWrite(
      {
        path: args.dest,
        content,
        attributes: { mode: args.mode, owner: args.owner, group: args.group },
        backup: args.backup ?? false,
        check: context.check,
        replace: args.force ?? true,
        ...(args.validate === undefined ? {} : { validate: validateCommand(args.validate) }),
      },
      probes,
    );
    const digest = (algorithm: string) => createHash(algorithm).update(content).digest('hex');
    return withFileResult(plan, currentFile(probes).state, args.dest, { dest: args.dest, src: args.src, checksum: digest('sha1'), md5sum: digest('md5') });
  },
};
