// meshlint HTML report: draws the findings table and the connectivity
// matrices from the JSON data element. No library, no network.
"use strict";
(function () {
  // The data is gzipped JSON in base64 (see writeData).
  async function load() {
    const text = document.getElementById("meshlint-data").textContent.trim();
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }
  load().then(main, (err) => {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = "This browser cannot read the report's data (" + err + "): it needs DecompressionStream.";
    document.getElementById("main").prepend(p);
    console.error(err);
  });

  function main(D) {
    const $ = (sel, root) => (root || document).querySelector(sel);
    const el = (tag, attrs, ...kids) => {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) {
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = v;
        else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
      }
      for (const k of kids) if (k !== null && k !== undefined) e.append(k);
      return e;
    };

    // Light and dark scheme: the reader's preference, and a button.
    const theme = $("#theme");
    const setTheme = (dark) => {
      document.documentElement.dataset.theme = dark ? "dark" : "light";
      theme.setAttribute("aria-pressed", String(dark));
      theme.textContent = dark ? "Light scheme" : "Dark scheme";
    };
    setTheme(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
    theme.addEventListener("click", () => setTheme(document.documentElement.dataset.theme !== "dark"));

    // Rows of a table that arrow keys move through (one in the tab order).
    function rovingRows(tbody, onEnter) {
      tbody.addEventListener("keydown", (ev) => {
        const row = ev.target.closest("tr.finding");
        if (!row) return;
        const rows = [...tbody.querySelectorAll("tr.finding:not([hidden])")];
        let i = rows.indexOf(row);
        if (ev.key === "ArrowDown") i++;
        else if (ev.key === "ArrowUp") i--;
        else if (ev.key === "Home") i = 0;
        else if (ev.key === "End") i = rows.length - 1;
        else if (ev.key === "Enter" || ev.key === " ") { onEnter(row); ev.preventDefault(); return; }
        else return;
        ev.preventDefault();
        if (rows[i]) focusRow(tbody, rows[i]);
      });
    }
    function focusRow(tbody, row) {
      for (const r of tbody.querySelectorAll("tr.finding[tabindex='0']")) r.tabIndex = -1;
      row.tabIndex = 0;
      row.focus();
    }

    // ---- Findings ----
    const SEV = { 3: ["error", "✖"], 2: ["warning", "▲"], 1: ["note", "●"] };
    function findingsTable(F) {
      const tbody = $("#findings-table tbody");
      const items = F.rows.map((r, i) => ({
        i, sev: r[0], rule: F.rules[r[1]], msg: r[2], file: F.files[r[3]], fi: r[3], line: r[4], col: r[5],
        ns: r[6], related: r[7] || [], suppressed: r[8], envs: r[9] || [],
      }));
      const loc = (it) => it.file + (it.line ? ":" + it.line + ":" + it.col : "");
      for (const it of items) {
        const [sevName, sevSym] = SEV[it.sev] || ["none", "?"];
        it.row = el("tr", { class: "finding" + (it.suppressed ? " suppressed" : ""), tabindex: "-1", "aria-expanded": "false" },
          el("td", { class: "sev-" + sevName }, el("span", { "aria-hidden": "true", text: sevSym + " " }), sevName),
          // A help URI comes from the rule, or a user's Rego METADATA: link
          // web pages only.
          el("td", {}, /^https?:\/\//.test(it.rule[2]) ? el("a", { href: it.rule[2], text: it.rule[0] }) : it.rule[0], " " + it.rule[1]),
          el("td", { class: "loc", text: loc(it) }),
          el("td", { text: it.ns }),
          el("td", { class: "message", text: it.msg + (it.envs.length ? " [" + it.envs.join(", ") + "]" : "") + (it.suppressed ? " (" + it.suppressed + ")" : "") }));
        it.row.addEventListener("click", (ev) => { if (!ev.target.closest("a")) toggle(it); });
        tbody.append(it.row);
      }
      if (items.length) items[0].row.tabIndex = 0;
      else tbody.append(el("tr", {}, el("td", { colspan: "5", text: "No findings." })));

      function snippet(fi, line) {
        const src = F.sources[fi] || {};
        const out = el("pre", {});
        for (let l = line - 3; l <= line + 3; l++) {
          if (!(String(l) in src)) continue;
          const text = String(l).padStart(5) + "  " + src[String(l)];
          out.append(l === line ? el("span", { class: "hit", text }) : text + "\n");
        }
        return out.childNodes.length ? out : null;
      }
      function toggle(it) {
        if (it.detail) {
          it.detail.remove();
          it.detail = null;
          it.row.setAttribute("aria-expanded", "false");
          return;
        }
        const cell = el("td", { colspan: "5" });
        cell.append(el("div", { class: "loc", text: loc(it) }));
        const snip = snippet(it.fi, it.line);
        cell.append(snip || el("p", { text: "(the source is not readable from here)" }));
        if (it.related.length) {
          const ul = el("ul", {});
          for (const [fi, line, col, msg] of it.related) {
            ul.append(el("li", {}, el("span", { class: "loc", text: F.files[fi] + (line ? ":" + line + ":" + col : "") + ": " }), msg,
              snippet(fi, line)));
          }
          cell.append(ul);
        }
        it.detail = el("tr", { class: "detail" }, cell);
        it.row.after(it.detail);
        it.row.setAttribute("aria-expanded", "true");
      }
      rovingRows(tbody, (row) => toggle(items.find((it) => it.row === row)));

      // Filters: one select per field, filled with the values present.
      const fill = (id, values) => {
        const sel = $(id);
        for (const v of [...new Set(values)].filter((v) => v !== "").sort()) sel.append(el("option", { value: v, text: v }));
        return sel;
      };
      const fRule = fill("#f-rule", items.map((it) => it.rule[0]));
      const fNS = fill("#f-namespace", items.map((it) => it.ns));
      const fFile = fill("#f-file", items.map((it) => it.file));
      const fEnv = fill("#f-environment", items.flatMap((it) => it.envs));
      if (fEnv.options.length > 1) $("#f-environment-label").hidden = false;
      const fSev = $("#f-severity"), fText = $("#f-text"), fSupp = $("#f-suppressed");
      const count = $("#f-count");
      function apply() {
        const text = fText.value.toLowerCase();
        let shown = 0;
        for (const it of items) {
          const ok = (!fSev.value || String(it.sev) === fSev.value) && (!fRule.value || it.rule[0] === fRule.value) &&
            (!fNS.value || it.ns === fNS.value) && (!fFile.value || it.file === fFile.value) &&
            (!fEnv.value || it.envs.includes(fEnv.value)) && (fSupp.checked || !it.suppressed) && (!text || it.msg.toLowerCase().includes(text));
          it.row.hidden = !ok;
          if (it.detail) it.detail.hidden = !ok;
          if (ok) shown++;
        }
        count.textContent = shown + " of " + items.length + " findings";
      }
      for (const c of [fSev, fRule, fNS, fFile, fEnv, fText, fSupp]) c.addEventListener("input", apply);
      apply();

      // Sorting: each header is a button; a second press reverses.
      const keys = {
        severity: (it) => -it.sev, rule: (it) => it.rule[0], namespace: (it) => it.ns, message: (it) => it.msg,
        location: (it) => it.i, // report order: file, line, column, rule
      };
      for (const b of document.querySelectorAll("#findings-table th button")) {
        b.addEventListener("click", () => {
          const th = b.parentElement;
          const dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
          for (const h of th.parentElement.children) h.setAttribute("aria-sort", "none");
          th.setAttribute("aria-sort", dir);
          const key = keys[b.dataset.sort], sign = dir === "ascending" ? 1 : -1;
          items.sort((a, c) => { const x = key(a), y = key(c); return (x < y ? -1 : x > y ? 1 : a.i - c.i) * sign; });
          for (const it of items) { tbody.append(it.row); if (it.detail) tbody.append(it.detail); }
        });
      }
    }
    if (D.findings) findingsTable(D.findings);

    if (D.snapshots.length) connectivity(D.snapshots);
    document.getElementById("main").dataset.ready = "true";

    // ---- Connectivity ----
    function connectivity(S) {
      const STATE = [["denied", "✗", "denied"], ["conditional", "~", "only for some requests"], ["allowed", "✓", "allowed"]];
      const EXTERNAL = "(outside the cluster)";
      // A diff shows after first; environments the first.
      const state = { layer: D.layer, view: D.diff ? 1 : 0, changedOnly: false, open: null, pair: null };

      // Nodes of every snapshot by ID; groups are namespaces, ranges last.
      for (const s of S) { s.byId = new Map(s.nodes.map((n, i) => [n[0], i])); s.rows = {}; }
      const ids = [...new Set(S.flatMap((s) => s.nodes.map((n) => n[0])))].sort();
      const nodeOf = (id) => { for (let k = S.length - 1; k >= 0; k--) { const i = S[k].byId.get(id); if (i !== undefined) return S[k].nodes[i]; } };
      const groupOf = (id) => nodeOf(id)[3] & 1 ? EXTERNAL : nodeOf(id)[1];
      const groups = [...new Set(ids.map(groupOf))].sort((a, b) => (a === EXTERNAL) - (b === EXTERNAL) || (a < b ? -1 : a > b ? 1 : 0));
      const members = new Map(groups.map((g) => [g, ids.filter((id) => groupOf(id) === g)]));

      // A source's row of a layer, decoded once: destination index -> conn.
      function row(s, layer, src) {
        const key = layer + "/" + src;
        if (s.rows[key]) return s.rows[key];
        const m = new Map(), runs = (s.layers[layer] || [])[src] || [];
        for (let k = 0, end = 0; k < runs.length; k += 3) {
          const first = end + runs[k];
          for (let d = first; d < first + runs[k + 1]; d++) m.set(d, runs[k + 2]);
          end = first + runs[k + 1];
        }
        return (s.rows[key] = m);
      }
      // conn of a pair in a snapshot: [text, state], or null when nothing passes.
      function conn(s, layer, srcId, dstId) {
        const i = s.byId.get(srcId), j = s.byId.get(dstId);
        if (i === undefined || j === undefined) return null;
        const c = row(s, layer, i).get(j);
        return c === undefined ? null : s.conns[c];
      }
      const changed = (layer, a, b) => D.diff && (conn(S[0], layer, a, b) || [""])[0] !== (conn(S[1], layer, a, b) || [""])[0];

      // The pairs whose conn differs between before and after: only pairs
      // with a connection on either side can differ.
      function changedPairs(layer) {
        const texts = (s) => {
          const m = new Map();
          s.nodes.forEach((n, i) => { for (const [j, c] of row(s, layer, i)) m.set(n[0] + "\t" + s.nodes[j][0], s.conns[c][0]); });
          return m;
        };
        const before = texts(S[0]), after = texts(S[1]), out = [];
        for (const [k, v] of after) if (before.get(k) !== v) out.push(k.split("\t"));
        for (const k of before.keys()) if (!after.has(k)) out.push(k.split("\t"));
        return out;
      }

      // Per layer and view, each namespace pair's tally.
      const tallies = {};
      function tally(layer, view) {
        const key = layer + "/" + view;
        if (tallies[key]) return tallies[key];
        const t = new Map(), s = S[view];
        const get = (a, b) => { const k = a + "\t" + b; let v = t.get(k); if (!v) t.set(k, (v = { ok: 0, cond: 0, conns: new Set(), changed: 0 })); return v; };
        s.nodes.forEach((n, i) => {
          for (const [j, c] of row(s, layer, i)) {
            const v = get(groupOf(n[0]), groupOf(s.nodes[j][0]));
            const st = s.conns[c][1];
            if (st === 2) v.ok++; else if (st === 1) v.cond++;
            if (v.conns.size < 4) v.conns.add(s.conns[c][0]);
          }
        });
        if (D.diff) for (const [a, b] of changedPairs(layer)) get(groupOf(a), groupOf(b)).changed++;
        return (tallies[key] = t);
      }

      // A grid whose cells arrow keys move through; Enter opens a cell.
      function grid(table, onOpen) {
        table.addEventListener("keydown", (ev) => {
          const td = ev.target.closest("td[data-r]");
          if (!td) return;
          let r = +td.dataset.r, c = +td.dataset.c;
          if (ev.key === "ArrowRight") c++; else if (ev.key === "ArrowLeft") c--;
          else if (ev.key === "ArrowDown") r++; else if (ev.key === "ArrowUp") r--;
          else if (ev.key === "Home") c = 0; else if (ev.key === "End") c = 1e9;
          else if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); onOpen(td); return; }
          else return;
          ev.preventDefault();
          const tr = table.tBodies[0].rows[Math.max(0, r)];
          if (!tr) return;
          const cells = tr.querySelectorAll("td[data-r]");
          const next = cells[Math.max(0, Math.min(c, cells.length - 1))];
          if (next) { td.tabIndex = -1; next.tabIndex = 0; next.focus(); }
        });
        table.addEventListener("click", (ev) => { const td = ev.target.closest("td[data-r]"); if (td) { moveFocus(table, td); onOpen(td); } });
      }
      function moveFocus(table, td) {
        for (const c of table.querySelectorAll("td[tabindex='0']")) c.tabIndex = -1;
        td.tabIndex = 0;
      }
      function matrix(cls, caption, rows, cols, cell, onOpen) {
        const table = el("table", { class: "matrix " + cls, role: "grid", "aria-label": caption });
        const head = el("tr", {}, el("th", { scope: "col", text: "from \\ to" }));
        for (const c of cols) head.append(el("th", { scope: "col", title: c, text: c }));
        const body = el("tbody", {});
        rows.forEach((r, ri) => {
          const tr = el("tr", {}, el("th", { scope: "row", title: r, text: r }));
          cols.forEach((c, ci) => { const td = cell(r, c); td.dataset.r = ri; td.dataset.c = ci; td.tabIndex = -1; tr.append(td); });
          body.append(tr);
        });
        table.append(el("thead", {}, head), body);
        const first = body.querySelector("td[data-r]");
        if (first) first.tabIndex = 0;
        grid(table, onOpen);
        return table;
      }

      function nsCell(layer, view) {
        const t = tally(layer, view);
        return (a, b) => {
          const n = members.get(a).length * members.get(b).length - (a === b ? members.get(a).length : 0);
          const v = t.get(a + "\t" + b) || { ok: 0, cond: 0, conns: new Set(), changed: 0 };
          let kind, sym;
          if (n === 0) { kind = "self"; sym = "·"; }
          else if (v.ok === n) { kind = "allowed"; sym = "✓"; }
          else if (v.ok + v.cond === 0) { kind = "denied"; sym = "✗"; }
          else if (v.ok === 0 && v.cond === n) { kind = "conditional"; sym = "~"; }
          else { kind = "mixed"; sym = "◐"; }
          const ports = [...v.conns].join("; ");
          const label = a + " to " + b + ": " + v.ok + " of " + n + " pairs allowed" + (v.cond ? ", " + v.cond + " only for some requests" : "") +
            (ports ? "; " + ports : "") + (v.changed ? "; " + v.changed + " changed" : "");
          const open = state.open && state.open[0] === a && state.open[1] === b;
          const td = el("td", { class: kind + (v.changed ? " changed" : "") + (open ? " active" : ""), title: label, "aria-label": label,
            "aria-selected": String(open), "data-a": a, "data-b": b }, sym + (kind === "mixed" ? " " + (v.ok + v.cond) + "/" + n : ""));
          if (state.changedOnly && !v.changed) td.classList.add("dim");
          return td;
        };
      }
      function wlCell(layer, view) {
        return (a, b) => {
          if (a === b) return el("td", { class: "self", "aria-label": a + " to itself", "data-a": a, "data-b": b, text: "·" });
          const c = conn(S[view], layer, a, b);
          const st = c ? c[1] : 0, [kind, sym, word] = STATE[st];
          const ch = changed(layer, a, b);
          const text = c ? c[0] : layer === "mesh" ? "no TCP" : "No Connections";
          const label = a + " to " + b + ": " + word + ", " + text + (ch ? " (changed)" : "");
          const chosen = state.pair && state.pair[0] === a && state.pair[1] === b;
          return el("td", { class: kind + (ch ? " changed" : "") + (chosen ? " active" : ""), title: label, "aria-label": label,
            "aria-selected": String(chosen), "data-a": a, "data-b": b }, sym + " " + (c ? c[0] : ""));
        };
      }

      function draw() {
        const ns = $("#ns-matrix");
        ns.replaceChildren(matrix("namespaces", "namespaces, " + state.layer + " layer", groups, groups, nsCell(state.layer, state.view), (td) => {
          state.open = [td.dataset.a, td.dataset.b];
          mark(ns, td);
          drawWorkloads(true);
        }));
        drawWorkloads(false);
      }
      // sh quotes a word for a POSIX shell (and zsh, to which [Kind] is a glob).
      const sh = (w) => (/^[\w.\/=:@-]+$/.test(w) ? w : "'" + w.replace(/'/g, "'\\''") + "'");

      // mark shows which cell is open.
      function mark(root, td) {
        for (const c of root.querySelectorAll("td.active")) { c.classList.remove("active"); c.setAttribute("aria-selected", "false"); }
        td.classList.add("active");
        td.setAttribute("aria-selected", "true");
      }
      function drawWorkloads(focus) {
        const wl = $("#wl-matrix");
        if (!state.open) { wl.hidden = true; return; }
        const [a, b] = state.open;
        wl.hidden = false;
        wl.replaceChildren(el("h3", { text: a + " → " + b + " (" + state.layer + ")" }),
          matrix("workloads", "workloads of " + a + " to " + b, members.get(a), members.get(b), wlCell(state.layer, state.view), (td) => {
            if (td.dataset.a === td.dataset.b) return;
            state.pair = [td.dataset.a, td.dataset.b];
            mark(wl, td);
            showWhy(true);
          }));
        if (focus) { const td = wl.querySelector("td[tabindex='0']"); if (td) td.focus(); }
        if (state.pair) showWhy(false);
      }

      // ---- Explanations ----
      function pick(t, j, meshed) {
        if (!t) return -1;
        for (const v of t.v || []) for (let k = 1; k < v.length; k += 2) if (j >= v[k] && j <= v[k + 1]) return v[0];
        return meshed && t.m !== undefined ? t.m : t.d;
      }
      function names(s, i, j) {
        const src = s.nodes[i], dst = s.nodes[j];
        const sc = (s.sidecars || {})[i] || [];
        return { src: src[0], dst: dst[0], srcns: src[1], dstns: dst[1], srcid: src[2], srcnsl: s.nsLabels[src[1]], dstnsl: s.nsLabels[dst[1]],
          srcsc: sc[0], srcsceg: sc[1], srcscout: sc[2] };
      }
      function block(s, b, nm) {
        const ol = el("ol", {});
        if (b < 0) return ol;
        for (const l of s.blocks[b]) {
          const [depth, loc, text] = s.lines[l];
          const li = el("li", { style: "padding-left:" + 1.25 * depth + "em" });
          const fill = (t) => t.replace(/\u001f(\w+)\u001f/g, (_, k) => (nm[k] === undefined || nm[k] === "" ? "?" : nm[k]));
          if (loc) li.append(el("span", { class: "loc", text: fill(loc) + ": " }));
          li.append(fill(text));
          ol.append(li);
        }
        return ol;
      }
      function showWhy(focus) {
        const [a, b] = state.pair, s = S[state.view], why = $("#why");
        const i = s.byId.get(a), j = s.byId.get(b);
        why.hidden = false;
        why.replaceChildren(el("h3", { text: a + " ⇒ " + b + (S.length > 1 ? " (" + (s.label || "view " + state.view) + ")" : "") }));
        if (i === undefined || j === undefined) {
          why.append(el("p", { text: "Not in this version of the manifests." }));
        } else {
          const nm = names(s, i, j), meshed = (s.nodes[i][3] & 2) !== 0;
          const flag = (k, f) => (s.nodes[k][3] & f) !== 0;
          let net, mesh;
          if (flag(i, 8) || flag(j, 16) || (flag(i, 1) && flag(j, 1))) {
            // The graph holds no such pair: a ServiceEntry host is only a
            // destination, ipBlocks cut the outside apart per direction,
            // and no layer speaks of two ends outside.
            const text = flag(i, 4) ? a + " is a ServiceEntry host: a destination outside the cluster, never a source"
              : flag(i, 1) && flag(j, 1) ? "Both ends are outside the cluster: no layer speaks of traffic between them."
              : (flag(i, 8) ? a : b) + " is an address range the NetworkPolicies cut for the other direction only: no connection " + (flag(i, 8) ? "starts" : "ends") + " there.";
            net = el("p", { text }); mesh = el("p", { text });
          } else {
            if (flag(j, 4)) {
              // A host's network is that of the ranges it may resolve to.
              const ranges = s.hostRanges[j] || [];
              net = el("div", {}, el("p", { text: b + " may resolve to " + (ranges.length === 1 ? "" : "any of ") + ranges.map((r) => s.nodes[r][0]).join(", ") + ":" }));
              for (const r of ranges) net.append(el("h5", { text: "to " + s.nodes[r][0] }), block(s, pick(s.egress[i], r), names(s, i, r)), block(s, pick(s.ingress[r], i), names(s, i, r)));
            } else {
              net = el("div", {}, block(s, pick(s.egress[i], j), nm), block(s, pick(s.ingress[j], i), nm));
            }
            // Mesh traffic between these ends is tunnelled (HBONE): the
            // NetworkPolicies see TCP 15008 of the pod it reaches, and the
            // effective layer reads their verdict there (connectivity's
            // hbone.go), not the application-port verdict above.
            if (flag(i, 2) && flag(j, 2) && !flag(j, 64) && (flag(i, 32) || flag(j, 32))) {
              net.prepend(el("p", { class: "hbone", text: "Mesh traffic from " + a + " to " + b + " travels over HBONE: NetworkPolicies see it on TCP 15008 of the pod it reaches (through a waypoint, on both hops), not on the application port the reasons below speak of. The effective verdict reads them on HBONE TCP 15008; the command below gives it route by route." }));
            }
            mesh = s.mesh[j] ? block(s, pick(s.mesh[j], i, meshed), nm) : el("p", { text: b + " is outside the cluster, and no ServiceEntry or REGISTRY_ONLY sidecar makes traffic leaving it the mesh's business: the mesh lets it through" });
          }
          const verdict = (layer) => {
            const c = conn(s, layer, a, b);
            return c ? STATE[c[1]][2] + ": " + c[0] : layer === "mesh" ? "denied on TCP (UDP and SCTP pass)" : "denied: No Connections";
          };
          // Each layer's verdict, the chosen one open; the effective layer
          // shows both explanations, since both must let a connection pass.
          for (const layer of ["network", "mesh", "effective"]) {
            const d = el("details", { open: layer === state.layer }, el("summary", {}, el("h4", { text: layer + ": " + verdict(layer) })));
            if (layer === "network") d.append(net);
            else if (layer === "mesh") d.append(mesh);
            else {
              d.append(el("p", { text: "Both layers must let a connection through." }),
                el("h5", { text: "network: " + verdict("network") }), net.cloneNode(true),
                el("h5", { text: "mesh: " + verdict("mesh") }), mesh.cloneNode(true));
            }
            why.append(d);
          }
        }
        // The command reads the paths of the run: the after side of a diff.
        if (!D.diff || state.view === 1) {
          const env = !D.diff && S.length > 1 ? " --environment " + sh(s.label) : "";
          why.append(el("code", { class: "cmd", text: D.command.replace("SRC", sh(a)).replace("DST", sh(b)) + env }));
        }
        if (focus) why.focus();
      }

      // Controls: layer tabs, before/after, changed cells only.
      for (const tab of document.querySelectorAll("#layers [role=tab]")) {
        tab.addEventListener("click", () => {
          state.layer = tab.dataset.layer;
          for (const t of document.querySelectorAll("#layers [role=tab]")) t.setAttribute("aria-selected", String(t === tab));
          draw();
        });
      }
      for (const b of document.querySelectorAll("#views button[data-view]")) {
        b.addEventListener("click", () => {
          state.view = +b.dataset.view;
          for (const o of document.querySelectorAll("#views button[data-view]")) o.setAttribute("aria-pressed", String(o === b));
          draw();
        });
      }
      const co = $("#changed-only");
      if (co) co.addEventListener("input", () => { state.changedOnly = co.checked; draw(); });
      draw();
    }
  }
})();
