#!/bin/sh
# run.sh -- placement checks on a real 2-node kernel: a QEMU guest, node 1 CPU-less.
#
# Builds tests/qemu/guest.c statically against the build tree's libob.a,
# packs it as /init into a tiny initramfs, and boots Debian's cloud kernel in
# QEMU (TCG) with two NUMA nodes of 512 MiB, node 1 without CPUs (a CXL-like
# expander), THP off so page counts are exact (memtier-notes, "QEMU 2-node
# guest"). The guest prints "GUEST: ok|FAIL ..." lines and a summary and powers
# off; this script passes when the summary says 0 failed. Bounded by a
# timeout (OB_QEMU_TIMEOUT, default 170 s; about 15 s here).
#
# It cannot run everywhere, and then says why and exits 0 (never 77: the
# reason must be read in the log, not hidden as an automake SKIP):
# no qemu-system-x86_64 (apt-get install qemu-system-x86), no kernel image
# (OB_QEMU_KERNEL, or /var/cache/optbench/vmlinuz-*-cloud-amd64, which
# scripts/quickstart fetches with apt-get download + dpkg-deb -x), no cpio,
# a sanitizer build (no static link), or no static libraries.
#
# Environment (set by make check): top_srcdir, top_builddir; CC optional;
# OB_QEMU_ONCE_DONE (set by scripts/quickstart for its later build trees, so
# one CI pass boots the guest once rather than once per build tree).

LC_ALL=C
export LC_ALL
: "${top_srcdir:=.}" "${top_builddir:=.}"
skip() {
  echo "qemu 2-node test skipped: $*"
  exit 0
}

[ -z "${OB_QEMU_ONCE_DONE:-}" ] || skip "OB_QEMU_ONCE_DONE is set: the guest already ran in this CI pass ($OB_QEMU_ONCE_DONE)"
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 is not installed (Debian: apt-get install qemu-system-x86)"
command -v cpio >/dev/null 2>&1 || skip "cpio is not installed"
[ "$(uname -m)" = x86_64 ] || skip "the guest recipe is for x86-64 hosts"
kernel=${OB_QEMU_KERNEL:-}
if [ -z "$kernel" ]; then
  for k in /var/cache/optbench/vmlinuz-*-cloud-amd64; do [ -f "$k" ] && kernel=$k; done
fi
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no guest kernel: set OB_QEMU_KERNEL or run 'scripts/quickstart test' (it fetches linux-image-*-cloud-amd64 into /var/cache/optbench)"
[ -f "$top_builddir/libob.a" ] || skip "no $top_builddir/libob.a"
[ -f "$top_builddir/config.h" ] || skip "no $top_builddir/config.h"
if grep -q 'fsanitize' "$top_builddir/Makefile" 2>/dev/null && grep -q '^SAN_CFLAGS = -f' "$top_builddir/Makefile"; then
  skip "sanitizer build: the guest binary must be linked statically"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/qemu2node.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
mkdir -p "$work/root/proc" "$work/root/sys" "$work/root/dev"
${CC:-cc} -std=c11 -O2 -fopenmp -static -I"$top_srcdir" -I"$top_builddir" \
  $(pkg-config --cflags gsl jansson 2>/dev/null) \
  -o "$work/root/init" "$top_srcdir/tests/qemu/guest.c" "$top_builddir/libob.a" \
  -lgsl -lgslcblas -ljansson -lnuma -lm >"$work/cc.log" 2>&1 ||
  { sed -n 1,5p "$work/cc.log"; skip "the static guest binary does not link (static libgsl, libjansson, libnuma, libgomp needed; see above)"; }
( cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 >"$work/initrd.gz" ) || { echo "FAIL: cpio"; exit 1; }

echo "qemu 2-node test: kernel $kernel, initramfs $(wc -c <"$work/initrd.gz") bytes"
start=$(date +%s)
timeout "${OB_QEMU_TIMEOUT:-170}" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1G \
  -object memory-backend-ram,id=m0,size=512M -object memory-backend-ram,id=m1,size=512M \
  -numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,memdev=m1 \
  -numa dist,src=0,dst=1,val=20 \
  -kernel "$kernel" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1 no_timer_check transparent_hugepage=never numa_balancing=disable" \
  -nographic -no-reboot -monitor none </dev/null >"$work/console.log" 2>&1
rc=$?
end=$(date +%s)
grep '^GUEST' "$work/console.log" | tr -d '\r'
echo "qemu exit $rc after $((end - start)) s"
if [ $rc -eq 124 ]; then
  echo "FAIL: the guest did not power off within ${OB_QEMU_TIMEOUT:-170} s; last console lines:"
  tail -n 20 "$work/console.log"
  exit 1
fi
summary=$(grep '^GUEST: [0-9]* passed, [0-9]* failed' "$work/console.log" | tr -d '\r')
if [ -z "$summary" ]; then
  echo "FAIL: no summary from the guest; last console lines:"
  tail -n 30 "$work/console.log"
  exit 1
fi
case $summary in
  *" 0 failed") echo "qemu 2-node test passed"; exit 0 ;;
  *) echo "FAIL: $summary"; exit 1 ;;
esac
