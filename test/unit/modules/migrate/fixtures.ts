import type { ExecResult } from '../../../../src/transport/types.js';
import { failed, ok } from './harness.js';

/** Outputs as libvirt 9.0 with qemu 7.2 (Debian 12) printed them for the tiny lab guest. */

export const UUID = '3f2c1a4e-8d3b-4c9a-9f61-2b7e0c5d8a10';
export const IMAGE = '/var/lib/libvirt/images/tiny.img';

export function dominfo(state: string, options: { uuid?: string; persistent?: boolean; autostart?: boolean } = {}): ExecResult {
  return ok(`Id:             ${state === 'shut off' ? '-' : '4'}
Name:           tiny
UUID:           ${options.uuid ?? UUID}
OS Type:        hvm
State:          ${state}
CPU(s):         1
CPU time:       2.1s
Max memory:     65536 KiB
Used memory:    65536 KiB
Persistent:     ${options.persistent === false ? 'no' : 'yes'}
Autostart:      ${options.autostart ? 'enable' : 'disable'}
Managed save:   no
Security model: none
Security DOI:   0
Messages:       tainted: running with undesirable elevated privileges

`);
}

export const NOT_DEFINED = failed("error: failed to get domain 'tiny'\n");
export const LIBVIRT_DOWN = failed(
  "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
);

export function domainXml(options: { cache?: string | null; image?: string; cpu?: boolean; memoryKiB?: number; bridge?: string } = {}): string {
  const cache = options.cache === null ? '' : ` cache='${options.cache ?? 'none'}'`;
  const cpu =
    options.cpu === false
      ? ''
      : `  <cpu mode='custom' match='exact' check='none'>
    <model fallback='forbid'>qemu64</model>
    <feature policy='disable' name='svm'/>
  </cpu>
`;
  const memory = options.memoryKiB ?? 65536;
  return `<domain type='qemu'>
  <name>tiny</name>
  <uuid>${UUID}</uuid>
  <memory unit='KiB'>${memory}</memory>
  <currentMemory unit='KiB'>${memory}</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <resource>
    <partition>/machine</partition>
  </resource>
  <os>
    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
${cpu}  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'${cache}/>
      <source file='${options.image ?? IMAGE}'/>
      <backingStore/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </disk>
${
  options.bridge === undefined
    ? ''
    : `    <interface type='bridge'>
      <mac address='52:54:00:4c:41:42'/>
      <source bridge='${options.bridge}'/>
      <model type='virtio'/>
    </interface>
`
}    <serial type='file'>
      <source path='/var/log/libvirt/qemu/tiny-serial.log'/>
      <target type='isa-serial' port='0'>
        <model name='isa-serial'/>
      </target>
    </serial>
    <console type='file'>
      <source path='/var/log/libvirt/qemu/tiny-serial.log'/>
      <target type='serial' port='0'/>
    </console>
    <input type='mouse' bus='ps2'/>
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

export const NODEMEMSTATS = ok(`total  :             24684092 KiB
free   :             21164212 KiB
buffers:               132520 KiB
cached :              2217440 KiB

`);

export const RESOLVES = ok(`10.77.0.12      STREAM kvm2
10.77.0.12      DGRAM  
10.77.0.12      RAW    
`);

export const CPU_SUPERSET = ok('The CPU provided by hypervisor on the host is a superset of CPU described in /dev/stdin\n\n');
/** virsh prints the verdict on stdout and exits 1. */
export const CPU_INCOMPATIBLE: ExecResult = {
  code: 1,
  signal: null,
  stdout: 'CPU described in /dev/stdin is incompatible with the CPU provided by hypervisor on the host\n\n',
  stderr: '',
};

export const JOBINFO = ok(`Job type:         Completed
Operation:        Incoming migration
Time elapsed:     1890         ms
Data processed:   1.503 MiB
Data remaining:   0.000 B
Data total:       64.133 MiB
Memory processed: 1.503 MiB
Memory remaining: 0.000 B
Memory total:     64.133 MiB
Memory bandwidth: 12.001 MiB/s
Dirty rate:       0            pages/s
Page size:        4096         bytes
Iteration:        2
Postcopy requests: 0
Constant pages:   16009
Normal pages:     284
Normal data:      1.109 MiB
Total downtime:   27           ms
Setup time:       12           ms

`);
