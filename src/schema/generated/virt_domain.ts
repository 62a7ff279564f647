/* Generated from schemas/modules/virt_domain.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A libvirt domain (virtual machine) defined from XML and in the requested state. An unchanged definition is ok; a changed one is redefined (it takes effect at the domain's next start) and the diff shows the XML parts that differ.
 */
export interface VirtDomainArgs {
  /**
   * Domain name. Must match the <name> in the XML when XML is given.
   */
  name: string;
  /**
   * The domain XML, inline. One of xml, xml_file or template is needed when the domain is not yet defined.
   */
  xml?: string;
  /**
   * Path of a file holding the domain XML, on the machine running runbook, relative to the playbook.
   */
  xml_file?: string;
  /**
   * Path of a template (Jinja syntax) of the domain XML, on the machine running runbook, relative to the playbook; rendered with the task's variables.
   */
  template?: string;
  /**
   * running: defined and started. shutdown: defined and shut off gracefully (see shutdown_timeout). destroyed: defined and powered off at once. defined: defined, run state untouched. undefined: powered off if running, then undefined (the domain is gone; disk images are kept).
   */
  state?: 'running' | 'shutdown' | 'destroyed' | 'defined' | 'undefined';
  /**
   * Start the domain when libvirtd starts. Left as it is when omitted.
   */
  autostart?: boolean;
  /**
   * Seconds to wait for a graceful shutdown (state shutdown) before on_shutdown_timeout applies.
   */
  shutdown_timeout?: number;
  /**
   * What to do when the guest has not shut down after shutdown_timeout seconds: fail the task, or destroy (power off) the domain. Guests without ACPI support never shut down gracefully.
   */
  on_shutdown_timeout?: 'fail' | 'destroy';
  /**
   * Other inventory hosts that may run this domain after a migration (hosts sharing its storage). With state running: if the domain runs on one peer and not here, the task is ok and leaves both hosts alone; if it runs here and on a peer, or on several peers, the task fails.
   */
  peers?: string[];
}
