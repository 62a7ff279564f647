import { NFS_EXPORT_PATH, SHARED_STORAGE_PATH } from './profile.js';

/**
 * The sandbox's /sbin/mount.nfs, installed in the image with dpkg-divert so that installing
 * nfs-common keeps it. The kernel here has no NFS client (`mount.nfs: No such device`) and Debian
 * has no FUSE one, so the helper does the honest part it can: it proves over the real NFS protocol
 * (libnfs's nfs-ls) that the server exports the path, refusing like mount.nfs when it does not, and
 * only then bind-mounts the shared storage, the same ext4 directory the NFS server exports.
 * `findmnt` shows ext4, not nfs. Remounts go through `-o remount`; unmounting is a plain `umount`.
 */
export const MOUNT_NFS_HELPER = `#!/bin/sh
# runbook sandbox stand-in for mount.nfs (the packaged one, if installed, is /sbin/mount.nfs.distrib).
# This kernel has no NFS client: after nfs-ls proves the export is served over NFS, the sandbox's
# shared storage (the directory the NFS server exports) is bind-mounted instead.
set -u
shared=${SHARED_STORAGE_PATH}
export_root=${NFS_EXPORT_PATH}
me=mount.nfs

# nfs-common's umount.nfs links here; what this helper mounts is a bind mount, unmounted directly.
case $0 in
  */umount.nfs*|umount.nfs*) exec umount -i "$@" ;;
esac

usage() {
  echo "usage: $me remotetarget dir [-rvVwfnsh] [-o nfsoptions]" >&2
  exit 2
}

[ $# -ge 2 ] || usage
spec=$1
dir=$2
shift 2
options=
fake=
verbose=
while [ $# -gt 0 ]; do
  case $1 in
    -o|-t|-N)
      [ $# -ge 2 ] || usage
      [ "$1" = -o ] && options="$options,$2"
      shift ;;
    -o?*) options="$options,\${1#-o}" ;;
    -r) options="$options,ro" ;;
    -w) options="$options,rw" ;;
    -f) fake=1 ;;
    -v) verbose=1 ;;
    -n|-s|-V|-h) ;;
    *) usage ;;
  esac
  shift
done

mode=rw
remount=
old_ifs=$IFS
IFS=,
for option in $options; do
  case $option in
    ro) mode=ro ;;
    rw) mode=rw ;;
    remount) remount=1 ;;
  esac
done
IFS=$old_ifs

case $spec in
  ?*:/*) server=\${spec%%:*}; path=\${spec#*:} ;;
  *) echo "$me: remote share not in 'host:dir' format" >&2; exit 32 ;;
esac
if [ ! -d "$dir" ]; then
  echo "$me: mount point $dir does not exist" >&2
  exit 32
fi

if [ -n "$remount" ]; then
  [ -n "$fake" ] && exit 0
  mount -o "remount,bind,$mode" "$dir" || exit 32
  exit 0
fi

case $path in
  "$export_root"|"$export_root"/*) ;;
  *)
    echo "$me: access denied by server while mounting $spec" >&2
    echo "$me: (runbook sandbox) only $export_root is shared storage in the sandbox" >&2
    exit 32 ;;
esac

if ! detail=$(nfs-ls "nfs://$server$path" 2>&1); then
  case $detail in
    *MNT3ERR_ACCES*|*MNT3ERR_PERM*) reason="access denied by server while mounting $spec" ;;
    *MNT3ERR_NOENT*) reason="mounting $spec failed, reason given by server: No such file or directory" ;;
    *"Can not resolv"*) reason="Failed to resolve server $server: Name or service not known" ;;
    *) reason="Connection refused" ;;
  esac
  echo "$me: $reason" >&2
  echo "$me: (runbook sandbox) nfs-ls nfs://$server$path failed: $(printf '%s\\n' "$detail" | tail -n 1)" >&2
  exit 32
fi

source=$shared\${path#"$export_root"}
if [ ! -d "$source" ]; then
  echo "$me: mounting $spec failed, reason given by server: No such file or directory" >&2
  exit 32
fi
[ -n "$fake" ] && exit 0
mount --bind "$source" "$dir" || exit 32
if [ "$mode" = ro ]; then
  mount -o remount,bind,ro "$dir" || exit 32
fi
[ -n "$verbose" ] && echo "$me: (runbook sandbox) nfs://$server$path is served; bound $source on $dir" >&2
exit 0
`;
