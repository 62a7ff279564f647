import type { TemplateArgs } from '../schema/generated/template.js';
import { fileWriteProbes, planFileWrite } from './lib/write-plan.js';
import type { ModuleDefinition } from './types.js';

export const templateModule: ModuleDefinition<TemplateArgs> = {
  name: 'template',
  summary: 'Render a local template and write it like copy',
  probe: (args) => fileWriteProbes(args.dest),
  plan(args, probes, context) {
    const rendered = context.renderTemplate(context.readLocalFile(args.src).toString('utf8'));
    return planFileWrite(
      {
        path: args.dest,
        content: Buffer.from(rendered, 'utf8'),
        attributes: { mode: args.mode, owner: args.owner, group: args.group },
        backup: args.backup ?? false,
        check: context.check,
      },
      probes,
    );
  },
};
