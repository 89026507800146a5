/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* verify --datapath: test frames (AF_PACKET) between the PF and the VFs with a netdev in this
 * namespace, through the NIC's own switch. A VF on vfio-pci (a VM's) is never touched, no netdev
 * changes namespace; a VF netdev that is down is set up for the probes and down again after, also
 * when the run is stopped (opts->cancel) or killed (the record under /run/vfctl/verify/). */
#include <arpa/inet.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "guard.h"
#include "link.h"
#include "packet.h"
#include "parse.h"
#include "pci.h"
#include "strbuf.h"
#include "verify.h"

/* IEEE Std 802 Local Experimental EtherType 1: nothing on a wire mistakes it for its own. */
#define DP_ETHERTYPE    0x88b5
#define DP_MAGIC        "vfctl-verify"
#define DP_FRAME        60
#define CARRIER_WAIT_MS 8000

typedef struct dp_run {
	vfctl_ctx *ctx;
	const vfctl_verify_opts *o;
	vfctl_verify_result *v;
	dp_port *ports;
	size_t n;
	char record[4096]; /* what this run set up, for the next run if this one is killed */
	int *raised_ifindex;
} dp_run;

static bool cancelled(const dp_run *d)
{
	return d->o->cancel && __atomic_load_n(d->o->cancel, __ATOMIC_RELAXED);
}

static void say(const dp_run *d, const char *fmt, ...) _printf_(2, 3);
static void say(const dp_run *d, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!d->o->report)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	d->o->report(d->o->userdata, line);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int skip(vfctl_verify_result *v, const char *device, const char *fmt, ...) _printf_(3, 4);
static int skip(vfctl_verify_result *v, const char *device, const char *fmt, ...)
{
	vfctl_verify_skip *ns = realloc(v->skipped, (v->n_skipped + 1) * sizeof(*ns));
	va_list ap;
	if (!ns)
		return -ENOMEM;
	v->skipped = ns;
	vfctl_verify_skip *s = &ns[v->n_skipped];
	va_start(ap, fmt);
	int r = vasprintf(&s->why, fmt, ap);
	va_end(ap);
	if (r < 0 || !(s->device = strdup(device))) {
		if (r >= 0)
			free(s->why);
		return -ENOMEM;
	}
	v->n_skipped++;
	return 0;
}

static int add_port(dp_run *d, size_t group, int vf, const char *label, const vfctl_netdev *nd)
{
	dp_port *np = realloc(d->ports, (d->n + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	d->ports = np;
	dp_port *p = &np[d->n];
	*p = (dp_port){.group = group, .vf = vf, .ifindex = nd->ifindex, .spoofchk = -1, .host_vlan = -1};
	if (!nd->mac || parse_mac(nd->mac, p->mac) < 0 || nd->ifindex <= 0)
		return skip(d->v, label, "%s: its MAC or interface index is unknown", nd->name);
	if (!(p->label = strdup(label)) || !(p->netdev = strdup(nd->name))) {
		free(p->label);
		return -ENOMEM;
	}
	d->n++;
	return 0;
}

/* The ports of one [PF] section: its netdev and every VF that has one here. */
static int unit_ports(dp_run *d, const conf_unit *u, const vfctl_host *h, size_t group)
{
	const vfctl_device *pf = u->dev_id ? vfctl_host_find(h, u->dev_id) : NULL;
	size_t first = d->n;
	int r;
	if (!pf)
		return 0;
	if (!pf->n_netdevs)
		return skip(d->v, pf->id, "the PF has no netdev in this network namespace");
	/* In switchdev mode a VF's frames go to its representor, and only rules (OVS, tc) forward them:
	 * the legacy switch these probes test is not there, and no expectation would be right. */
	if (pf->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV)
		return skip(d->v, pf->id,
			    "the PF's eswitch is in switchdev mode: VF traffic reaches the representors and "
			    "is forwarded by rules (OVS, tc), not by the legacy switch the probes test");
	if ((r = add_port(d, group, -1, pf->id, &pf->netdevs[0])) < 0 || d->n == first)
		return r;
	bool pf_down = pf->netdevs[0].flags >= 0 && !(pf->netdevs[0].flags & IFF_UP);
	d->ports[first].pf_down = pf_down;
	d->ports[first].vlan = 0;
	for (size_t i = 0; i < pf->n_vfs; i++) {
		const vfctl_vf *vf = &pf->vfs[i];
		const vf_target *t = i < u->n_vfs && u->vfs ? &u->vfs[i] : NULL;
		const vfctl_vf_settings *s = &vf->settings;
		char label[128];
		snprintf(label, sizeof(label), "%s vf %zu", pf->id, i);
		if (driver_is_vfio(vf->driver)) {
			if ((r = skip(d->v, label, "bound to %s (a VM's, or ready for one): never probed",
				      vf->driver)) < 0)
				return r;
			continue;
		}
		const vfctl_netdev *nd = vfctl_vf_netdev(h, vf);
		if (!nd) {
			if (vf->driver)
				r = skip(d->v, label, "%s has no netdev for it in this network namespace", vf->driver);
			else
				r = skip(d->v, label, "no driver bound: no netdev to probe from");
			if (r < 0)
				return r;
			continue;
		}
		size_t k = d->n;
		if ((r = add_port(d, group, (int)i, label, nd)) < 0)
			return r;
		if (d->n == k)
			continue;
		dp_port *p = &d->ports[k];
		p->host_vlan = s->valid ? s->vlan : -1;
		p->vlan = t && t->vlan >= 0 ? t->vlan : s->vlan > 0 ? s->vlan : 0;
		p->spoofchk = t && t->flag[VF_FLAG_SPOOFCHK] >= 0 ? t->flag[VF_FLAG_SPOOFCHK] : s->spoofchk;
		p->host_link_disabled = s->link_state == IFLA_VF_LINK_STATE_DISABLE;
		p->link_disabled = t && t->flag[VF_FLAG_LINK_STATE] >= 0
					   ? t->flag[VF_FLAG_LINK_STATE] == IFLA_VF_LINK_STATE_DISABLE
					   : p->host_link_disabled;
		p->pf_down = pf_down;
	}
	if (d->n - first < 2)
		return skip(d->v, pf->id, "fewer than two ports with a netdev here: nothing to send between");
	return 0;
}

/* What the probes of one PF's group would put on its uplink, for the refusal's message: how many
 * frames, how many with the forged source, on which VLANs. */
static void group_traffic(const dp_run *d, const dp_probe *pr, size_t np, size_t group, size_t *ret_frames,
			  size_t *ret_forged, char *vlans, size_t vlans_size)
{
	size_t frames = 0, forged = 0, len = 0;
	vlans[0] = 0;
	for (size_t i = 0; i < np; i++)
		if (d->ports[pr[i].from].group == group) {
			frames++;
			forged += pr[i].forged;
		}
	for (size_t i = 0; i < d->n; i++) {
		const dp_port *p = &d->ports[i];
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = d->ports[j].group != group || d->ports[j].vlan != p->vlan;
		if (p->group != group || !first || len + 12 >= vlans_size)
			continue;
		len += (size_t)(p->vlan ? snprintf(vlans + len, vlans_size - len, "%s%d", len ? ", " : "", p->vlan)
					: snprintf(vlans + len, vlans_size - len, "%suntagged", len ? ", " : ""));
	}
	*ret_frames = frames;
	*ret_forged = forged;
}

/* A PF that carries the default route is the host's uplink: frames its switch does not deliver
 * inside the NIC go out on the wire, and a forged source that the NIC fails to drop (what the
 * spoofchk probe is there to find) can trip an upstream switch's port security, which shuts the
 * host's uplink. The admin decides, knowing exactly what would be sent (docs/verify.md). */
static int check_default_route(dp_run *d, const vfctl_host *h, const dp_probe *pr, size_t np)
{
	guard g;
	int r = 0;
	guard_init(&g, d->ctx, h);
	for (size_t i = 0; i < d->n && r >= 0; i++) {
		const dp_port *p = &d->ports[i];
		/* The route's own interface, or a bridge, bond, VLAN or macvlan above the port. */
		_cleanup_free_ char *via = guard_default_route(&g, p->netdev);
		char vlans[128];
		size_t frames, forged;
		if (!via)
			continue;
		if (d->o->force) {
			say(d, "%s carries the default route: probing anyway (--force)", p->netdev);
			continue;
		}
		group_traffic(d, pr, np, p->group, &frames, &forged, vlans, sizeof(vlans));
		const uint8_t *m = dp_forged_mac;
		bool other = !streq(via, p->netdev);
		r = ctx_error(
			d->ctx, -EBUSY,
			"%s (%s) carries the default route%s%s: verify --datapath would send %zu test frames through "
			"its NIC's switch (EtherType 0x%04x, local experimental; payload \"%s\"; VLANs: %s), "
			"%zu of them with the forged locally administered source %02x:%02x:%02x:%02x:%02x:%02x to "
			"test spoof checking. Frames the NIC does not switch internally leave on this uplink, and a "
			"forged source the NIC fails to drop can make an upstream switch with port security shut "
			"the port. --force sends them anyway",
			p->netdev, p->label, other ? " through " : "", other ? via : "", frames, DP_ETHERTYPE, DP_MAGIC,
			vlans[0] ? vlans : "none", forged, m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	guard_done(&g);
	return r;
}

static int restored_add(vfctl_verify_result *v, const char *name)
{
	char **nv = realloc(v->restored, (v->n_restored + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	v->restored = nv;
	if (!(nv[v->n_restored] = strdup(name)))
		return -ENOMEM;
	v->n_restored++;
	return 0;
}

/* The netdevs this run set up, one "IFINDEX NAME" line each (a netdev name holds no space or
 * newline), written before each is set up: a run killed at any point leaves what to undo. */
static int record_write(dp_run *d, size_t n_raised)
{
	strbuf t = {0};
	for (size_t i = 0; i < n_raised; i++)
		strbuf_add(&t, "%d %s\n", d->raised_ifindex[i], d->v->restored[i]);
	int r = t.error ? t.error : file_write_text(d->record, t.s ? t.s : "");
	free(t.s);
	return r < 0 ? ctx_error(d->ctx, r, "recording the netdevs verify sets up in %s", d->record) : 0;
}

/* A run that was killed (SIGKILL, a crash, the machine's OOM killer) left its VF netdevs up: each
 * one still there under the same index and name, and still up, is set down; then the record goes. */
static void undo_killed_runs(dp_run *d)
{
	char dir[4096], **names = NULL;
	size_t n = 0;
	snprintf(dir, sizeof(dir), "%s/vfctl/verify", ctx_run_dir(d->ctx));
	if (dir_list(dir, NULL, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char path[4200], *text = NULL, *save = NULL;
		long pid = strtol(names[i], NULL, 10);
		if (pid <= 0 || pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (file_read_text(path, &text) < 0)
			continue;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			int ifindex;
			char name[IF_NAMESIZE + 1];
			if (sscanf(l, "%d %16s", &ifindex, name) != 2 || (int)if_nametoindex(name) != ifindex)
				continue;
			int flags = sysfs_int(d->ctx->fs, "class/net/%s/flags", name);
			if (flags < 0 || !(flags & IFF_UP))
				continue;
			if (link_set_up(d->ctx, ifindex, false) < 0)
				say(d,
				    "%s: left up by a verify --datapath that was killed (pid %ld); could not set it "
				    "down: %s",
				    name, pid, vfctl_ctx_error(d->ctx));
			else
				say(d, "%s: left up by a verify --datapath that was killed (pid %ld): set down again",
				    name, pid);
		}
		free(text);
		(void)file_remove(path);
	}
	strv_free_n(names, n);
}

static int all_carrier(void *data)
{
	const dp_run *d = data;
	if (cancelled(d))
		return -EINTR;
	for (size_t i = 0; i < d->v->n_restored; i++)
		if (sysfs_int(d->ctx->fs, "class/net/%s/carrier", d->v->restored[i]) != 1)
			return 0;
	return 1;
}

/* VF netdevs that are down are set up for the probes; the PF never is (a PF that is down is what
 * the probes are there to find). Waits, bounded, for their carrier. */
static int bring_up(dp_run *d, const vfctl_host *h)
{
	int r;
	if (!(d->raised_ifindex = calloc(d->n + 1, sizeof(int))))
		return -ENOMEM;
	for (size_t i = 0; i < d->n && !cancelled(d); i++) {
		dp_port *p = &d->ports[i];
		if (p->vf < 0 || !netdev_find(h, p->netdev))
			continue; /* the PF is never set up */
		/* Read now, not from the scan: undo_killed_runs may have set it down since. */
		int flags = sysfs_int(d->ctx->fs, "class/net/%s/flags", p->netdev);
		if (flags < 0 || (flags & IFF_UP))
			continue;
		say(d, "%s (%s) is down: setting it up for the probes, down again after", p->netdev, p->label);
		size_t k = d->v->n_restored;
		d->raised_ifindex[k] = p->ifindex;
		if ((r = restored_add(d->v, p->netdev)) < 0 || (r = record_write(d, k + 1)) < 0 ||
		    (r = link_set_up(d->ctx, p->ifindex, true)) < 0)
			return r;
	}
	if (cancelled(d))
		return ctx_error(d->ctx, -EINTR, "stopped by a signal: VF netdevs set down again, nothing sent");
	if (!d->v->n_restored)
		return 0;
	int w = poll_until(CARRIER_WAIT_MS, 100, all_carrier, d);
	if (w == -EINTR)
		return ctx_error(d->ctx, -EINTR, "stopped by a signal: VF netdevs set down again, nothing sent");
	if (w == 0)
		say(d, "some VF netdevs have no carrier after %d s: probing anyway", CARRIER_WAIT_MS / 1000);
	return 0;
}

static void set_down_again(dp_run *d)
{
	bool all = true;
	for (size_t i = 0; i < d->v->n_restored; i++) {
		unsigned idx = if_nametoindex(d->v->restored[i]);
		if (idx && link_set_up(d->ctx, (int)idx, false) < 0) {
			say(d, "could not set %s down again: %s", d->v->restored[i], vfctl_ctx_error(d->ctx));
			all = false;
		}
	}
	/* One that could not be set down stays recorded: the next run tries again. */
	if (all && d->record[0])
		(void)file_remove(d->record);
}

static void build_frame(uint8_t *f, const dp_port *from, const dp_port *to, const dp_probe *pr, uint32_t nonce,
			uint32_t idx)
{
	memset(f, 0, DP_FRAME);
	memcpy(f, to->mac, 6);
	memcpy(f + 6, pr->forged ? dp_forged_mac : from->mac, 6);
	f[12] = DP_ETHERTYPE >> 8;
	f[13] = DP_ETHERTYPE & 0xff;
	memcpy(f + 14, DP_MAGIC, sizeof(DP_MAGIC) - 1);
	nonce = htonl(nonce);
	idx = htonl(idx);
	memcpy(f + 14 + sizeof(DP_MAGIC) - 1, &nonce, 4);
	memcpy(f + 18 + sizeof(DP_MAGIC) - 1, &idx, 4);
}

/* The probe index a received frame carries, -1 if it is not one of this run's. A tag the NIC left
 * in the frame is skipped. */
static long frame_probe(const uint8_t *f, int len, uint32_t nonce)
{
	int off = 12;
	while (len >= off + 2 && ((f[off] == 0x81 && f[off + 1] == 0x00) || (f[off] == 0x88 && f[off + 1] == 0xa8)))
		off += 4;
	size_t m = sizeof(DP_MAGIC) - 1;
	if (len < off + 2 + (int)m + 8 || f[off] != (DP_ETHERTYPE >> 8) || f[off + 1] != (DP_ETHERTYPE & 0xff) ||
	    memcmp(f + off + 2, DP_MAGIC, m) != 0)
		return -1;
	uint32_t n, idx;
	memcpy(&n, f + off + 2 + m, 4);
	memcpy(&idx, f + off + 6 + m, 4);
	return ntohl(n) == nonce ? (long)ntohl(idx) : -1;
}

static uint32_t run_nonce(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint32_t)t.tv_nsec ^ ((uint32_t)getpid() << 16) ^ (uint32_t)t.tv_sec;
}

static char *hint_for(const dp_run *d, const dp_probe *pr, bool arrived)
{
	const dp_port *a = &d->ports[pr->from], *b = &d->ports[pr->to];
	char *s = NULL;
	int r = -1;
	if (!arrived && a->pf_down)
		r = asprintf(&s, "the PF's netdev is down: its VFs have no carrier (Up=yes, or ip link set ... up)");
	else if (a->vf >= 0 && a->host_vlan >= 0 && a->host_vlan != a->vlan)
		r = asprintf(
			&s,
			"%s is on VLAN %d on the host, the configuration says %d: changed behind vfctl (vfctl apply "
			"puts it back)",
			a->label, a->host_vlan, a->vlan);
	else if (b->vf >= 0 && b->host_vlan >= 0 && b->host_vlan != b->vlan)
		r = asprintf(
			&s,
			"%s is on VLAN %d on the host, the configuration says %d: changed behind vfctl (vfctl apply "
			"puts it back)",
			b->label, b->host_vlan, b->vlan);
	else if (!arrived && (a->host_link_disabled || b->host_link_disabled))
		r = asprintf(&s, "%s's link state is disable on the host", a->host_link_disabled ? a->label : b->label);
	else if (arrived && streq(pr->kind, "spoofchk"))
		r = asprintf(
			&s,
			"spoof checking is on for %s, yet the NIC forwarded a frame with a forged source: this NIC "
			"(or its emulation) does not enforce it",
			a->label);
	else if (arrived && streq(pr->kind, "link-state"))
		r = asprintf(
			&s, "a VF with its link disabled still passed traffic: the driver does not enforce link state");
	else if (!arrived)
		r = asprintf(
			&s, "the NIC's switch did not deliver it (the receiver's driver filters, or the switch drops)");
	else
		r = asprintf(&s, "the NIC's switch delivered a frame it should have kept apart");
	return r < 0 ? NULL : s;
}

static int seen_add(vfctl_datapath_check *c, const char *name)
{
	for (size_t i = 0; i < c->n_seen; i++)
		if (streq(c->seen[i], name))
			return 0;
	char **ns = realloc(c->seen, (c->n_seen + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	c->seen = ns;
	if (!(ns[c->n_seen] = strdup(name)))
		return -ENOMEM;
	c->n_seen++;
	return 0;
}

static int probe(dp_run *d, const dp_probe *pr, size_t np)
{
	int *fds = calloc(d->n, sizeof(*fds));
	bool *ready = calloc(d->n, sizeof(*ready));
	int r = 0;
	if (!fds || !ready || !(d->v->checks = calloc(np ? np : 1, sizeof(*d->v->checks)))) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < d->n; i++)
		fds[i] = -1;
	for (size_t i = 0; i < d->n && r >= 0; i++)
		if ((fds[i] = packet_open(d->ports[i].ifindex)) < 0)
			r = ctx_error(d->ctx, fds[i], "%s: AF_PACKET socket: %s", d->ports[i].netdev,
				      strerror(-fds[i]));
	uint32_t nonce = run_nonce();
	for (size_t i = 0; r >= 0 && i < np; i++) {
		vfctl_datapath_check *c = &d->v->checks[d->v->n_checks++];
		const dp_port *a = &d->ports[pr[i].from], *b = &d->ports[pr[i].to];
		uint8_t f[DP_FRAME];
		char src[MAC_STRLEN], dst[MAC_STRLEN];
		c->kind = pr[i].kind;
		c->vlan = a->vlan;
		c->expected = pr[i].expect;
		build_frame(f, a, b, &pr[i], nonce, (uint32_t)i);
		if (!(c->from = strdup(a->label)) || !(c->to = strdup(b->label)) ||
		    !(c->from_netdev = strdup(a->netdev)) || !(c->to_netdev = strdup(b->netdev)) ||
		    asprintf(&c->sent, "%s -> %s, EtherType 0x%04x%s", format_mac(f + 6, src), format_mac(f, dst),
			     DP_ETHERTYPE, pr[i].forged ? " (forged source)" : "") < 0) {
			r = -ENOMEM;
			break;
		}
		int s = packet_send(fds[pr[i].from], f, sizeof(f));
		if (s < 0 && asprintf(&c->hint, "sending on %s failed: %s", a->netdev, strerror(-s)) < 0)
			r = -ENOMEM;
	}
	double sent = now_ms(), all_seen = -1;
	size_t want = 0, got = 0;
	for (size_t i = 0; i < np; i++)
		want += pr[i].expect;
	/* Bounded: the window after the last frame, shortened once every expected frame is in (a
	 * quarter second more for the ones that must not arrive). */
	while (r >= 0) {
		double t = now_ms(), end = sent + d->o->wait_ms;
		if (all_seen >= 0 && all_seen + 250 < end)
			end = all_seen + 250;
		if (t >= end)
			break;
		int w = cancelled(d) ? -EINTR : packet_wait(fds, d->n, (int)(end - t) + 1, ready);
		if (w == -EINTR && cancelled(d)) {
			r = ctx_error(d->ctx, -EINTR, "stopped by a signal: VF netdevs set down again, no result");
			break;
		}
		if (w == -EINTR)
			continue;
		if (w < 0) {
			r = ctx_error(d->ctx, w, "poll on the probe sockets");
			break;
		}
		for (size_t k = 0; k < d->n && r >= 0; k++) {
			uint8_t buf[2048];
			int vlan, len;
			while (ready[k] && (len = packet_recv(fds[k], buf, sizeof(buf), &vlan)) > 0) {
				long idx = frame_probe(buf, len, nonce);
				if (idx < 0 || (size_t)idx >= d->v->n_checks)
					continue;
				vfctl_datapath_check *c = &d->v->checks[idx];
				bool first_at_to = k == pr[idx].to && !c->ok && pr[idx].expect;
				if ((r = seen_add(c, d->ports[k].netdev)) < 0)
					break;
				if (first_at_to) {
					c->ok = true; /* provisional: settled below */
					if (++got == want)
						all_seen = now_ms();
				}
			}
		}
	}
	for (size_t i = 0; r >= 0 && i < d->v->n_checks; i++) {
		vfctl_datapath_check *c = &d->v->checks[i];
		bool arrived = false;
		for (size_t k = 0; k < c->n_seen; k++)
			arrived |= streq(c->seen[k], c->to_netdev);
		c->ok = arrived == c->expected;
		if (!c->ok && !c->hint && !(c->hint = hint_for(d, &pr[i], arrived)))
			r = -ENOMEM;
	}
out:
	for (size_t i = 0; fds && i < d->n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(ready);
	return r;
}

int verify_datapath(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const bool *units,
		    const vfctl_verify_opts *o, vfctl_verify_result *v)
{
	dp_run d = {.ctx = ctx, .o = o, .v = v};
	dp_probe *pr = NULL;
	size_t np = 0, groups = 0;
	int r = 0;

	if (!ctx->set.use_netlink || ctx->fs->read_only)
		return ctx_error(ctx, -EOPNOTSUPP,
				 "verify --datapath sends frames on the running host: not on a --sysfs tree");
	if (geteuid() != 0)
		return ctx_error(ctx, -EPERM, "verify --datapath sends raw frames (AF_PACKET): root only");
	snprintf(d.record, sizeof(d.record), "%s/vfctl/verify/%ld", ctx_run_dir(ctx), (long)getpid());
	undo_killed_runs(&d);
	for (size_t i = 0; i < c->n_units && r >= 0; i++)
		if (units[i] && c->units[i].kind == UNIT_PF)
			r = unit_ports(&d, &c->units[i], h, groups++);
	if (r >= 0)
		r = dp_expect(d.ports, d.n, &pr, &np);
	if (r >= 0)
		r = check_default_route(&d, h, pr, np);
	/* A group left with one port (the rest skipped) has no probe: dp_expect pairs within groups. */
	if (r >= 0 && np) {
		v->datapath = true;
		r = bring_up(&d, h);
		if (r >= 0) {
			say(&d, "sending %zu test frames between %zu ports", np, d.n);
			r = probe(&d, pr, np);
		}
		set_down_again(&d);
	} else if (r >= 0)
		v->datapath = true;
	free(pr);
	free(d.raised_ifindex);
	for (size_t i = 0; i < d.n; i++) {
		free(d.ports[i].label);
		free(d.ports[i].netdev);
	}
	free(d.ports);
	return r;
}
