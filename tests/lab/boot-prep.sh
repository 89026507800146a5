#!/bin/bash
# Runs in the lab VM's new root before systemd starts (lab/init, chrooted): what an admin's
# machine has before a reboot. The packages from make deb installed with dpkg, a configuration in
# /etc/vfctl, the PF named "sriov-pf0" by a .link file (udev renames eth0 in the PF's add event; a
# dash in the name is what a unit instance would unescape), libvirtd with a domain it autostarts on
# a VF (a stand-in in the other modes), and the unit that runs the test once multi-user.target is reached.
# Mode (vfctl_boot): "good", "missing" (a second file names a PF that does not exist), or "ansible"
# (nothing installed: the Ansible role installs the package and deploys the configuration).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# Modules from the unpacked lab kernel, where udev and modprobe look at boot.
mkdir -p "/usr/lib/modules/$vfctl_kver"
mount --bind "$vfctl_cache/root/lib/modules/$vfctl_kver" "/usr/lib/modules/$vfctl_kver"

if [ "$vfctl_boot" != ansible ]; then
	dpkg -i "$vfctl_debs"/libvfctl2_*.deb "$vfctl_debs"/vfctl_*.deb >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; exit 1; }
	# VF 2's MAC derived from the machine id (MACAddress=persistent): the same at every boot.
	# VF netdevs named from the PF (sriov-pf0v0, sriov-pf0v2) by vfctl's udev rule, which also
	# has NetworkManager leave VF 2 alone.
	sed -e 's/^Driver=vfio-pci$/Driver=vfio-pci\nOwner=nobody/' \
		-e 's/^MACAddress=02:00:00:00:00:12$/MACAddress=persistent\nUnmanaged=yes/' \
		-e 's/^Up=yes$/Up=yes\nVFNetdevName=%pv%n/' "$top/examples/lab.conf" >/etc/vfctl/lab.conf
	chmod 644 /etc/vfctl/lab.conf
fi
if [ "$vfctl_boot" = missing ]; then
	printf '# a card that was taken out\n[PF]\nMatch=pci:0000:09:00.0\nNumVFs=2\n' >/etc/vfctl/gone.conf
	chmod 644 /etc/vfctl/gone.conf
fi

mkdir -p /etc/systemd/network
cat >/etc/systemd/network/10-vfctl-lab.link <<'LINK'
[Match]
Path=pci-0000:01:00.0

[Link]
Name=sriov-pf0
LINK

# libvirtd itself (mode good) with a domain it autostarts, holding VF 1 through the <interface>
# vfctl emit libvirt writes for it: it knows nothing of vfctl; vfctl.service says
# Before=libvirtd.service, so the VF is there, on vfio-pci with its MAC, when libvirtd starts it.
# Debian's unit comes with libvirt-daemon-system, which the host does not install (it would start
# libvirtd on the CI machine): this one runs the same binary the same way (Type=notify). Each
# start first records the VFs libvirtd finds and who owns VF 1's /dev/vfio/N (libvirtd then chowns
# it for the domain it autostarts). Other modes: a stand-in that only records them.
if [ "$vfctl_boot" = good ]; then
	cat >/etc/libvirt/qemu.conf <<'CONF'
user = "root"
group = "root"
security_driver = "none"
stdio_handler = "file"
namespaces = [ ]
cgroup_controllers = [ ]
CONF
	grep -q '^libvirt-qemu:' /etc/passwd || echo 'libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin' >>/etc/passwd
	grep -q '^libvirt-qemu:' /etc/group || printf 'libvirt-qemu:x:64055:\nkvm:x:64056:\n' >>/etc/group
	mkdir -p /var/lib/libvirt /var/log/libvirt /var/cache/libvirt /etc/libvirt/qemu/autostart
	# type='qemu' (TCG); <acpi/>: libvirt 9.0 passes -no-acpi without it, which QEMU 10 no longer has.
	cat >/etc/libvirt/qemu/boot01.xml <<'XML'
<domain type='qemu'>
  <name>boot01</name>
  <uuid>6f1c2b1e-5d0a-4c8e-9a57-0b7e2c4d9f01</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
<interface type='hostdev' managed='no'>
  <mac address='02:00:00:00:00:11'/>
  <driver name='vfio'/>
  <source>
    <address type='pci' domain='0x0000' bus='0x01' slot='0x10' function='0x2'/>
  </source>
  <alias name='ua-vfctl-525400123456-vf1'/>
</interface>
  </devices>
</domain>
XML
	ln -sf /etc/libvirt/qemu/boot01.xml /etc/libvirt/qemu/autostart/boot01.xml
	exec_start='ExecStartPre=/bin/sh -c "cat /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs > /run/libvirtd-found-numvfs; /sbin/ip -j -d link show sriov-pf0 > /run/libvirtd-found-link.json; stat -c %%u /dev/vfio/$$(basename $$(readlink /sys/bus/pci/devices/0000:01:00.0/virtfn1/iommu_group)) > /run/libvirtd-found-vfio-owner"
ExecStart=/usr/sbin/libvirtd
Type=notify
KillMode=process'
	what="libvirtd (the lab's unit), which autostarts boot01"
else
	exec_start='Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c "cat /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs > /run/libvirtd-found-numvfs; /sbin/ip -j -d link show sriov-pf0 > /run/libvirtd-found-link.json; stat -c %%u /dev/vfio/$$(basename $$(readlink /sys/bus/pci/devices/0000:01:00.0/virtfn1/iommu_group)) > /run/libvirtd-found-vfio-owner"'
	what="stand-in for libvirtd: records the VFs it finds when it starts"
fi
cat >/etc/systemd/system/libvirtd.service <<UNIT
[Unit]
Description=$what

[Service]
$exec_start

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/libvirtd.service /etc/systemd/system/multi-user.target.wants/libvirtd.service

# The other VM managers' units vfctl.service orders itself before (modular libvirt's virtqemud, the
# autostart of libvirt-guests and Proxmox's pve-guests): each stand-in records the VF count it finds.
for u in virtqemud libvirt-guests pve-guests; do
	cat >/etc/systemd/system/$u.service <<UNIT
[Unit]
Description=stand-in for $u: records the VFs it finds when it starts

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'cat /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs > /run/standin-$u-numvfs'

[Install]
WantedBy=multi-user.target
UNIT
	ln -sf /etc/systemd/system/$u.service /etc/systemd/system/multi-user.target.wants/$u.service
done

cat >/etc/systemd/system/vfctl-lab-test.service <<UNIT
[Unit]
Description=vfctl lab: the boot test
After=multi-user.target
# A test that cannot even start must not leave the VM running until the tier's time limit.
FailureAction=poweroff-force

[Service]
Type=oneshot
Environment=vfctl_boot=$vfctl_boot vfctl_debs=$vfctl_debs
ExecStart=/bin/bash $here/boot-guest.sh
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/vfctl-lab-test.service /etc/systemd/system/multi-user.target.wants/vfctl-lab-test.service

# The checkout under test may live in /tmp (CI clones anywhere): Debian's tmpfiles.d empties /tmp
# at boot ("D /tmp"), which on this overlay would delete it. Create /tmp, do not clean it.
mkdir -p /etc/tmpfiles.d
echo 'd /tmp 1777 root root -' >/etc/tmpfiles.d/tmp.conf

# NetworkManager (mode good) as an admin's host runs it, but kept to the VFs' netdevs (igbvf) and
# without its automatic DHCP profiles: the lab's PF and its other NIC stay as the test sets them.
# Its view of VF 0 (managed) and VF 2 (Unmanaged=yes) is what the test reads. Other modes: off.
if [ "$vfctl_boot" = good ]; then
	mkdir -p /etc/NetworkManager/conf.d
	printf '[main]\nno-auto-default=*\n\n[keyfile]\nunmanaged-devices=*,except:driver:igbvf\n' \
		>/etc/NetworkManager/conf.d/90-vfctl-lab.conf
else
	ln -sf /dev/null /etc/systemd/system/NetworkManager.service
fi
ln -sf /dev/null /etc/systemd/system/NetworkManager-wait-online.service

# What this image enables for itself has nothing to do with the test and slows the boot.
for u in postgresql.service e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer prometheus.service \
	prometheus-node-exporter.service; do
	ln -sf /dev/null "/etc/systemd/system/$u"
done
