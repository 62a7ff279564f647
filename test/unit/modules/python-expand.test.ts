import { describe, expect, it } from 'vitest';
import { expandUser, expandVars } from '../../../src/modules/lib/python-expand.js';

// Python's posixpath.expandvars and expanduser, which Ansible's command module applies to each word
// (module_utils/basic.py run_command: expand_user_and_vars) and to every `type: path` argument.
describe("the expansion of Ansible's command words", () => {
  const environment = new Map([
    ['HOME', '/root/'],
    ['USER', 'root'],
    ['EMPTY', ''],
  ]);

  it('$NAME and ${NAME} from the environment; unset names and other $ forms stay as written', () => {
    expect(expandVars('$HOME/x', environment)).toBe('/root//x');
    expect(expandVars('${USER}_y $USERx', environment)).toBe('root_y $USERx');
    expect(expandVars('$MISSING ${MISSING} $(id) $1 $EMPTY.', environment)).toBe('$MISSING ${MISSING} $(id) $1 .');
    expect(expandVars('cost: 5$', environment)).toBe('cost: 5$');
  });

  it('~ is $HOME, ~user that user\'s home, without trailing slashes; unknown users stay', () => {
    const homes = (user: string) => (user === 'student' ? '/home/student' : undefined);
    expect(expandUser('~', environment, homes)).toBe('/root');
    expect(expandUser('~/.ssh', environment, homes)).toBe('/root/.ssh');
    expect(expandUser('~student/lab', environment, homes)).toBe('/home/student/lab');
    expect(expandUser('~nobody/x', environment, homes)).toBe('~nobody/x');
    expect(expandUser('a~', environment, homes)).toBe('a~');
    expect(expandUser('~', new Map([['HOME', '/']]), homes)).toBe('/');
  });
});
