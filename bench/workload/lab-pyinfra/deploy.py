# The lab of playbooks/lab.yml as a pyinfra 2.9 deploy, its steps in the same order: the packages, the
# NFS export, the KVM hosts' mount, services and bridge, the guest on the first KVM host and its live
# migration to the second, checked from the NFS server before and after.
#
#   pyinfra INVENTORY.py deploy.py
#   pyinfra INVENTORY.py deploy.py --data migration_dest=kvm1       # migrate the guest back
#
# INVENTORY.py: the groups nfs_server and kvm_hosts, host data lab_address, lab_network and nfs_backend
# (kernel or ganesha), as in the lab's Ansible inventory. Debian hosts (apt, systemd-networkd): lab.yml's
# firewalld and SELinux steps skip there, so this deploy has none.
#
# pyinfra reads its facts while it plans, before any operation runs. Where a step depends on what an
# earlier step of this deploy does (the guest started, then migrated), the plan follows the state the
# earlier steps will leave. Where the guest runs is read on every KVM host, as lab.yml's virt_domain
# does with `peers`.
#
# pyinfra 2.9 orders each host's operations, not the lines across hosts: an operation called on every
# host is one step that waits for each host's earlier ones; one called on some hosts only may run
# before another host's earlier lines. So a step another host's later step depends on (the export
# before the KVM hosts mount it, the guest running before it is pinged and moved) is followed by an
# operation called on every host: rpcbind, and each step of the migration, which does nothing on the
# hosts it does not concern.
import ipaddress
import os
import re
import shlex
from io import StringIO

from pyinfra import host, inventory
from pyinfra.api.exceptions import DeployError
from pyinfra.facts.files import File
from pyinfra.facts.server import Command
from pyinfra.operations import apt, files, server, systemd

HERE = os.path.dirname(os.path.abspath(__file__))
# lab.yml's own guest template: both tools define the same domain.
GUEST_TEMPLATE = os.path.join(HERE, "..", "..", "..", "playbooks", "templates", "net-guest.xml.j2")

IMAGES_DIR = "/var/lib/libvirt/images"
GUEST_NAME = "netguest"
GUEST_DISK = f"{IMAGES_DIR}/{GUEST_NAME}-log.img"
GUEST_KERNEL = f"{IMAGES_DIR}/{GUEST_NAME}.vmlinuz"
GUEST_INITRD = f"{IMAGES_DIR}/{GUEST_NAME}.initrd"
# The guest's /init and domain definition, on the KVM host that makes the guest.
GUEST_WORK_DIR = "/var/lib/lab-guest"
LAB_BRIDGE = "br0"
VIRSH = "virsh -c qemu:///system"
# Seconds a guest that is still booting has to answer ping before the move.
GUEST_BOOT_WAIT_S = 60

PACKAGES = {
    "nfs_server_kernel": ["nfs-kernel-server", "rpcbind", "iputils-ping"],
    "nfs_server_ganesha": ["nfs-ganesha", "nfs-ganesha-vfs", "rpcbind", "iputils-ping"],
    "kvm_host": ["nfs-common", "rpcbind", "libvirt-daemon-system", "qemu-system-x86", "iputils-ping"],
}

nfs_server = inventory.get_group("nfs_server")[0]
kvm_hosts = inventory.get_group("kvm_hosts")
is_nfs_server = "nfs_server" in host.groups
is_kvm_host = "kvm_hosts" in host.groups
lab_network = ipaddress.ip_network(host.data.lab_network)
export_source = f"{nfs_server.data.lab_address}:{IMAGES_DIR}"
# Host 16 of the lab network unless the inventory says otherwise.
guest_address = host.data.get("lab_guest_address") or str(lab_network.network_address + 16)
lab_interface = host.data.get("lab_bridge_port") or "eth0"
guest_home = kvm_hosts[0].name
migration_dest = host.data.get("migration_dest") or kvm_hosts[1].name


def command_output(target, command):
    """A command's output on `target`, read while planning; empty when it fails."""
    return (target.get_fact(Command, command=f"{command} 2>/dev/null || true") or "").strip()


apt.packages(
    name="NFS server packages on the server, NFS client, libvirt and qemu on the KVM hosts",
    packages=PACKAGES[f"nfs_server_{host.data.nfs_backend}" if is_nfs_server else "kvm_host"],
    # None of the recommended extras (qemu's GUI stack among them).
    no_recommends=True,
    update=True,
    cache_time=3600,
)

if is_nfs_server:
    # 0711 is what installing libvirt sets on this directory through the KVM hosts' mount; any other
    # mode here would be flipped back and forth and the lab would never converge.
    files.directory(name="The image directory, mode 0711", path=IMAGES_DIR, mode="711")
    if host.data.nfs_backend == "ganesha":
        # Planned before nfs-ganesha is installed, the block finds no ganesha.conf and writes the file
        # whole: the package's (all commented out) example goes.
        export = files.block(
            name="Export the image directory to the lab network (nfs-ganesha)",
            path="/etc/ganesha/ganesha.conf",
            marker="# {mark} lab export",
            content="\n".join(
                [
                    "EXPORT {",
                    "\tExport_Id = 1;",
                    f'\tPath = "{IMAGES_DIR}";',
                    f'\tPseudo = "{IMAGES_DIR}";',
                    "\tFSAL { Name = VFS; }",
                    "\tAccess_Type = None;",
                    "\tCLIENT {",
                    f"\t\tClients = {lab_network};",
                    "\t\tAccess_Type = RW;",
                    "\t\tSquash = No_Root_Squash;",
                    "\t}",
                    "}",
                ]
            ),
        )
        nfs_service = "nfs-ganesha"
    else:
        export = files.line(
            name="Export the image directory to the lab network (/etc/exports)",
            path="/etc/exports",
            line=f"^{IMAGES_DIR} ",
            replace=f"{IMAGES_DIR} {lab_network}(rw,no_root_squash)",
        )
        nfs_service = "nfs-kernel-server"
    # Reloading makes a changed export live (nfs-kernel-server's reload is exportfs -r).
    systemd.service(
        name="NFS server started and enabled",
        service=nfs_service,
        running=True,
        enabled=True,
        reloaded=export.changed,
    )

# On every host, after the NFS server: the KVM hosts mount the export once it is live. (Installing
# rpcbind starts it, so the NFS server finds it to register with.)
systemd.service(name="rpcbind started and enabled", service="rpcbind", running=True, enabled=True)

if is_kvm_host:
    files.directory(name="The mount point", path=IMAGES_DIR)
    server.mount(name="The export mounted at the same path", path=IMAGES_DIR, device=export_source, fs_type="nfs")
    files.line(
        name="The export in fstab",
        path="/etc/fstab",
        line=f"^[^ ]* {IMAGES_DIR} ",
        replace=f"{export_source} {IMAGES_DIR} nfs defaults,_netdev 0 0",
    )
    systemd.service(name="libvirtd started and enabled", service="libvirtd", running=True, enabled=True)

    # The bridge, as lab.yml's bridge module makes it: br0 takes the lab interface's MAC address (the
    # neighbours' ARP entries stay right), the interface and its address move into it, and
    # systemd-networkd's files keep it so. pyinfra has no guarded switch that puts the interface back
    # when the host stops answering: the switch runs as one shell command, so this SSH session's own
    # traffic resumes once the address is on the bridge.
    address = f"{host.data.lab_address}/{lab_network.prefixlen}"
    route = re.match(r"default via (\S+) dev (\S+)", command_output(host, "ip -4 route show default"))
    gateway = route.group(1) if route and route.group(2) in (lab_interface, LAB_BRIDGE) else None
    port_link = command_output(host, f"ip -o link show dev {shlex.quote(lab_interface)}")
    if f" master {LAB_BRIDGE} " not in port_link:
        bridge, port = shlex.quote(LAB_BRIDGE), shlex.quote(lab_interface)
        mac = re.search(r"link/ether (\S+)", port_link).group(1)
        switch = [
            *([] if command_output(host, f"ip -o link show dev {bridge}") else [f"ip link add name {bridge} type bridge stp_state 0 forward_delay 0"]),
            f"ip link set dev {bridge} address {shlex.quote(mac)}",
            f"ip link set dev {bridge} up",
            f"ip link set dev {port} master {bridge}",
            f"ip address del {shlex.quote(address)} dev {port}",
            f"ip address replace {shlex.quote(address)} dev {bridge}",
            *([f"ip route replace default via {shlex.quote(gateway)} dev {bridge}"] if gateway else []),
        ]
        server.shell(name=f"The lab interface in bridge {LAB_BRIDGE}, its address moved onto the bridge", commands=[" && ".join(switch)])
    header = "# Written by the lab's pyinfra deploy.\n"
    networkd = {
        f"10-lab-{LAB_BRIDGE}.netdev": f"[NetDev]\nName={LAB_BRIDGE}\nKind=bridge\n\n[Bridge]\nSTP=no\nForwardDelaySec=0\n",
        f"10-lab-{LAB_BRIDGE}-port.network": f"[Match]\nName={lab_interface}\n\n[Network]\nBridge={LAB_BRIDGE}\n",
        f"10-lab-{LAB_BRIDGE}.network": f"[Match]\nName={LAB_BRIDGE}\n\n[Network]\nAddress={address}\n" + (f"Gateway={gateway}\n" if gateway else ""),
    }
    for filename, content in networkd.items():
        files.put(name=f"systemd-networkd keeps the bridge: {filename}", src=StringIO(header + content), dest=f"/etc/systemd/network/{filename}", mode="644")

# Where the guest runs now, on every KVM host; once the guest steps are done it runs there, or, when
# it runs nowhere yet, on the first KVM host. Once migrated it stays where it went (lab.yml's `peers`).
guest_states = {kvm.name: command_output(kvm, f"{VIRSH} domstate {GUEST_NAME}") for kvm in kvm_hosts}
running_on = [name for name, state in guest_states.items() if state == "running"]
if len(running_on) > 1:
    raise DeployError(f"{GUEST_NAME} runs on {' and '.join(running_on)} at once")
guest_host = running_on[0] if running_on else guest_home
migrates = guest_host != migration_dest

if host.name == guest_home:
    files.directory(name="The guest's work directory", path=GUEST_WORK_DIR)
    init = files.put(name="The guest's /init", src=os.path.join(HERE, "guest-init"), dest=f"{GUEST_WORK_DIR}/init", mode="755")
    if init.changed or not host.get_fact(File, path=GUEST_KERNEL) or not host.get_fact(File, path=GUEST_INITRD):
        server.script(
            name="The guest's kernel and initramfs on the shared storage, from Debian's cloud kernel and busybox-static",
            src=os.path.join(HERE, "build-guest.sh"),
            args=(GUEST_KERNEL, GUEST_INITRD, f"{GUEST_WORK_DIR}/init"),
        )
    if not host.get_fact(File, path=GUEST_DISK):
        server.shell(name="The guest's log disk on the shared storage (1 MiB, sparse)", commands=[f"truncate -s 1M {shlex.quote(GUEST_DISK)}"])
    definition = files.template(
        name="The guest's domain definition, disk cache none",
        src=GUEST_TEMPLATE,
        dest=f"{GUEST_WORK_DIR}/{GUEST_NAME}.xml",
        guest_name=GUEST_NAME,
        guest_disk=GUEST_DISK,
        guest_kernel=GUEST_KERNEL,
        guest_initrd=GUEST_INITRD,
        guest_address=guest_address,
        guest_prefix_length=lab_network.prefixlen,
        lab_bridge=LAB_BRIDGE,
    )
    if guest_host == host.name:
        if definition.changed or guest_states[host.name] == "":
            server.shell(name="Guest defined", commands=[f"{VIRSH} define {shlex.quote(f'{GUEST_WORK_DIR}/{GUEST_NAME}.xml')}"])
        if guest_states[host.name] != "running":
            server.shell(name="Guest running", commands=[f"{VIRSH} start {GUEST_NAME}"])

ping_guest = f"ping -n -q -c 1 -W 1 {shlex.quote(guest_address)} > /dev/null"
if migrates:
    server.shell(
        name=f"Before the move: the guest answers ping from {nfs_server.name} (booting, it has {GUEST_BOOT_WAIT_S} s)",
        commands=[f"start=$(date +%s); until {ping_guest}; do [ $(($(date +%s) - start)) -lt {GUEST_BOOT_WAIT_S} ] || exit 1; sleep 0.5; done"] if is_nfs_server else [],
    )
    # libvirt judges shared storage by filesystem type and refuses what it does not recognise (the
    # sandbox's bind mount): --unsafe, as lab.yml's migrate passes it once its own checks have passed.
    server.shell(
        name=f"Guest migrated live from {guest_host} to {migration_dest}",
        commands=[f"{VIRSH} migrate --live --persistent --unsafe --verbose {GUEST_NAME} {shlex.quote(f'qemu+ssh://{migration_dest}/system')}"] if host.name == guest_host else [],
    )
    after_the_move = {
        guest_host: f'[ "$({VIRSH} domstate {GUEST_NAME})" = "shut off" ]',
        migration_dest: f'[ "$({VIRSH} domstate {GUEST_NAME})" = running ]',
        nfs_server.name: ping_guest,
    }
    server.shell(
        name=f"After the move: the guest runs on {migration_dest}, shut off on {guest_host}, and answers ping from {nfs_server.name}",
        commands=[after_the_move[host.name]] if host.name in after_the_move else [],
    )
