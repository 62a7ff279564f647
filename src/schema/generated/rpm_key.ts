/* Generated from schemas/modules/rpm_key.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A GPG key in the rpm database, as Ansible's ansible.builtin.rpm_key manages it: present imports a key file of the host (`rpm --import`) unless its key id is already imported; absent erases it (`rpm --erase --allmatches gpg-pubkey-ID`). Key ids are read with gpg, as Ansible does. A key URL (Ansible downloads it) and validate_certs are refused.
 */
export interface RpmKeyArgs {
  /**
   * An absolute path to a key file on the host, or (absent, or a key already imported) a key id such as 0x3228467C.
   */
  key: string;
  /**
   * present or absent.
   */
  state?: 'present' | 'absent';
  /**
   * With present, the key file's fingerprint must be this one (spaces ignored).
   */
  fingerprint?: string;
}
