/* Generated from schemas/modules/authorized_key.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * SSH public keys in a user's authorized_keys, as Ansible's ansible.posix.authorized_key does: keys are matched by their key data (the base64 blob); a key whose type, options or comment differ is rewritten at the end of the file; the file is written as Ansible writes it (its lines ordered, a repeated key or identical other line kept once). Keys fetched from a URL, follow and validate_certs are refused.
 */
export interface AuthorizedKeyArgs {
  /**
   * The account whose authorized_keys is managed (its home directory and owner come from the host's passwd).
   */
  user: string;
  /**
   * One public key, or several, one per line (blank lines and lines starting with # are skipped), e.g. `ssh-ed25519 AAAA… alice@lab`. A URL (Ansible fetches it) is refused.
   */
  key: string;
  /**
   * The authorized_keys file, instead of ~USER/.ssh/authorized_keys.
   */
  path?: string;
  /**
   * Create the file's directory (mode 0700, owned by the user) when it is missing.
   */
  manage_dir?: boolean;
  /**
   * present: the keys in the file; absent: removed from it.
   */
  state?: 'present' | 'absent';
  /**
   * Options written before every key given, e.g. `no-port-forwarding,from="10.0.0.0/8"` (they replace the key's own).
   */
  key_options?: string;
  /**
   * With present: remove every other key (and every other line) from the file.
   */
  exclusive?: boolean;
  /**
   * The comment written after every key given (replaces the key's own).
   */
  comment?: string;
}
