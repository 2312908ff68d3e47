// The auditors' page: draws the long tables from the JSON in #du-lieu, a page of rows at a time, with
// filters, sorting and search. Filters can be given in the address: #huyen=593&muc=error&q=text
// (keys: muc, kt, huyen, xa, tt, q, sx = column number, nguoc = 1 for descending). Loads nothing.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("du-lieu").textContent);
  var E = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(v) { return v === null || v === undefined ? "" : String(v).replace(/[&<>"']/g, function (c) { return E[c]; }); }
  function num(n) { return n === null || n === undefined || n === "" ? "" : Number(n).toLocaleString("vi-VN"); }
  function fold(s) { return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase(); }
  // a file's link: given, or the inbox folder + the name quoted as Python's urllib.parse.quote does
  function quote(s) {
    return encodeURIComponent(s).replace(/%2F/g, "/").replace(/[!'()*]/g, function (c) { return "%" + c.charCodeAt(0).toString(16).toUpperCase(); });
  }
  function link(file) {
    if (!file) return "";
    var href = file.length > 1 ? file[1] : (D.inbox ? D.inbox + "/" + quote(file[0]) : "");
    return href ? '<a href="' + esc(href) + '">' + esc(file[0]) + "</a>" : esc(file[0]);
  }
  var COLLATE = new Intl.Collator("vi").compare;
  function place(code) { return code ? (D.places[code] || code) : ""; }
  var SEV = D.sev, STATES = {}, CHECKS = D.checks;
  D.states.forEach(function (s) { STATES[s[0]] = s[1]; });

  // A paged, sortable table over `rows`; `cols`: {t: title, v: value for sorting/search, h: cell HTML,
  // n: numeric, c: th class}. `keep(row)` filters; `after(shown)` is told the filtered rows.
  function Table(id, cols, rows, keep, after, rowAttr, size) {
    var PAGE = size || D.page || 200;
    var el = document.getElementById(id), pager = document.querySelector('[data-pager="' + id + '"]');
    var self = { page: 0, sort: -1, desc: false, shown: rows };
    cols.forEach(function (c) {
      var cls = ((c.c || "") + (c.n && !c.left ? " n" : "")).trim();
      c.td = cls ? '<td class="' + cls + '">' : "<td>";
    });
    el.tHead.innerHTML = "<tr>" + cols.map(function (c, i) {
      return '<th class="' + (c.c || "") + '" data-col="' + i + '" title="Bấm để sắp xếp">' + esc(c.t) + '<span class="arrow"></span></th>';
    }).join("") + "</tr>";
    el.tHead.addEventListener("click", function (ev) {
      var th = ev.target.closest("th");
      if (!th) return;
      var i = +th.getAttribute("data-col");
      self.desc = self.sort === i ? !self.desc : false;
      self.sort = i;
      self.refresh(true);
    });
    self.refresh = function (keepPage) {
      var shown = rows.filter(keep);
      if (self.sort >= 0) {
        var c = cols[self.sort], sign = self.desc ? -1 : 1;
        var keyed = shown.map(function (r, i) { return [c.v(r), i, r]; });
        keyed.sort(function (a, b) {
          var x = a[0], y = b[0];
          if (x === y) return a[1] - b[1];
          if (x === "" || x === null) return 1;
          if (y === "" || y === null) return -1;
          if (c.n) return sign * (x - y);
          return sign * COLLATE(String(x), String(y));
        });
        shown = keyed.map(function (k) { return k[2]; });
      }
      self.shown = shown;
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      if (!keepPage || self.page >= pages) self.page = 0;
      self.draw();
      if (after) after(shown);
    };
    self.draw = function () {
      var shown = self.shown, pages = Math.max(1, Math.ceil(shown.length / PAGE)), start = self.page * PAGE;
      var out = [];
      for (var i = start; i < Math.min(shown.length, start + PAGE); i++) {
        var r = shown[i];
        out.push("<tr" + (rowAttr ? rowAttr(r) : "") + ">" + cols.map(function (c) {
          return c.td + c.h(r) + "</td>";
        }).join("") + "</tr>");
      }
      el.tBodies[0].innerHTML = out.length ? out.join("") : '<tr><td colspan="' + cols.length + '">Không có dòng nào.</td></tr>';
      Array.prototype.forEach.call(el.tHead.rows[0].cells, function (th, i) {
        th.querySelector(".arrow").textContent = i === self.sort ? (self.desc ? " ▼" : " ▲") : "";
      });
      if (pager) {
        pager.innerHTML = pages > 1 ?
          '<button type="button" data-p="-1"' + (self.page ? "" : " disabled") + '>‹ Trước</button> Trang ' +
          num(self.page + 1) + "/" + num(pages) + " (dòng " + num(start + 1) + "–" + num(Math.min(shown.length, start + PAGE)) +
          ' của ' + num(shown.length) + ') <button type="button" data-p="1"' + (self.page < pages - 1 ? "" : " disabled") + ">Sau ›</button>" : "";
      }
    };
    if (pager) pager.addEventListener("click", function (ev) {
      var b = ev.target.closest("button");
      if (!b) return;
      self.page += +b.getAttribute("data-p");
      self.draw();
      el.scrollIntoView({ block: "start" });
    });
    return self;
  }

  function options(select, pairs) {
    select.insertAdjacentHTML("beforeend", pairs.map(function (p) {
      return '<option value="' + esc(p[0]) + '">' + esc(p[1]) + "</option>";
    }).join(""));
  }
  function field(bar, name) { return document.querySelector("#" + bar + ' [data-f="' + name + '"]'); }

  // ---- findings (positions: reports/auditors_page.py FINDING_FIELDS; T = D.texts)
  var F = D.f, H = D.heads, FILES = D.files, T = D.texts;
  var want = { muc: "", kt: "", huyen: "", xa: "", tt: "", q: "" };
  var text = null; // the search text of each finding, made at the first search
  function searchText() {
    text = F.map(function (r) {
      var chk = CHECKS[r[1]] || ["", "", ""];
      return fold([chk[0], chk[1], place(r[2]), place(r[3]), r[4], place(r[4]), FILES[r[6]] ? FILES[r[6]][0] : "",
        T[r[5]], T[r[8]], r[9], r[10], r[13], T[r[15]], r[16]].join(" "));
    });
  }
  function keepFinding(r) {
    return (want.muc === "" || SEV[r[0]][0] === want.muc) && (want.kt === "" || (CHECKS[r[1]] || [])[0] === want.kt) &&
      (want.huyen === "" || r[2] === want.huyen) && (want.xa === "" || r[3] === want.xa) &&
      (want.tt === "" || D.states[r[14]][0] === want.tt) && (want.q === "" || text[r[21]].indexOf(want.q) >= 0);
  }
  F.forEach(function (r, i) { r[21] = i; }); // r[21]: position (r[20]: review file)
  // the submitted row, drawn on demand in a full-width row under the finding
  function cellsOf(r) {
    return r[18] < 0 ? "" : '<button type="button" class="ctx-btn" data-i="' + r[21] + '" aria-expanded="false">Xem dòng</button>';
  }
  function rowTable(r) {
    var head = H[r[18]], col = T[r[8]];
    return '<div class="ctx-box"><b>' + (r[7] === null ? "Trang " : "Dòng " + num(r[7]) + " của trang ") + esc(T[r[5]]) + ", tệp " + esc(FILES[r[6]] ? FILES[r[6]][0] : "") +
      ', như đã đọc được:</b><table class="row"><tr>' + head.map(function (h) {
      return "<th" + (h === col ? ' class="hit"' : "") + ">" + esc(h) + "</th>";
    }).join("") + "</tr><tr>" + r[19].map(function (v, i) {
      return "<td" + (head[i] === col ? ' class="hit"' : "") + ">" + esc(v) + "</td>";
    }).join("") + "</tr></table></div>";
  }
  document.getElementById("bang-phat-hien").tBodies[0].addEventListener("click", function (ev) {
    var btn = ev.target.closest(".ctx-btn");
    if (!btn) return;
    var tr = btn.closest("tr"), next = tr.nextElementSibling;
    if (next && next.classList.contains("ctx")) {
      next.remove();
      btn.setAttribute("aria-expanded", "false");
      btn.textContent = "Xem dòng";
      return;
    }
    tr.insertAdjacentHTML("afterend", '<tr class="ctx"><td colspan="' + tr.cells.length + '">' + rowTable(F[+btn.getAttribute("data-i")]) + "</td></tr>");
    btn.setAttribute("aria-expanded", "true");
    btn.textContent = "Ẩn dòng";
  });
  var findings = Table("bang-phat-hien", [
    { t: "Mức độ", c: "w-sev", v: function (r) { return r[0]; }, n: 1, left: 1, h: function (r) { return '<span class="' + SEV[r[0]][0] + '">' + esc(SEV[r[0]][1]) + "</span>"; } },
    D.dl ? { t: "Huyện, xã", c: "w-place", v: function (r) { return place(r[2]) + " " + place(r[3]); }, h: function (r) {
      return esc(place(r[2])) + (r[3] ? '<br><small>' + esc(place(r[3])) + "</small>" : "");
    } } : { t: "Xã", c: "w-place", v: function (r) { return place(r[3]); }, h: function (r) { return esc(place(r[3])); } },
    { t: "Kiểm tra", c: "w-check", v: function (r) { return (CHECKS[r[1]] || ["", ""])[1]; }, h: function (r) {
      var c = CHECKS[r[1]] || ["", "", ""];
      return '<span title="' + esc(c[2]) + '">' + esc(c[1]) + '</span><br><small class="mono">' + esc(c[0]) + "</small>";
    } },
    { t: "Tên đơn vị", c: "w-name", v: function (r) { return place(r[4]); }, h: function (r) { return r[4] ? esc(place(r[4])) + ' <small class="mono">' + esc(r[4]) + "</small>" : ""; } },
    { t: "Tệp", c: "w-file", v: function (r) { return FILES[r[6]] ? FILES[r[6]][0] : ""; }, h: function (r) { return link(FILES[r[6]]); } },
    { t: "Trang, dòng, cột", c: "w-where", v: function (r) { return T[r[5]] + "\u0001" + String(1e7 + (r[7] || 0)) + T[r[8]]; }, h: function (r) {
      return esc(T[r[5]]) + (r[7] !== null ? '<br>dòng <b>' + num(r[7]) + "</b>" : "") + (r[8] ? "<br>cột " + esc(T[r[8]]) : "");
    } },
    { t: "Giá trị", c: "w-value", v: function (r) { return r[9]; }, h: function (r) { return esc(r[9]); } },
    { t: "Nội dung", c: "w-long", v: function (r) { return r[10]; }, h: function (r) { return esc(r[10]); } },
    { t: "Kết luận", c: "w-state", v: function (r) { return r[14]; }, n: 1, left: 1, h: function (r) {
      var s = D.states[r[14]];
      return '<span class="st-' + esc(s[0]) + '">' + esc(s[1]) + "</span>" +
        (r[15] ? "<br><small>" + esc(T[r[15]]) + (r[17] ? ", " + esc(T[r[17]]) : "") + (r[20] ? " (tệp " + esc(T[r[20]]) + ")" : "") + "</small>" : "") +
        (r[16] ? "<br><small>" + esc(r[16]) + "</small>" : "");
    } },
    { t: "Theo dõi", c: "w-track", v: function (r) { return r[13]; }, h: function (r) {
      return '<span class="mono" title="Mã phát hiện">' + esc(r[13]) + "</span><br><small>lần đầu " + esc(T[r[11]]) +
        "<br>" + num(r[12]) + " lần lập</small>";
    } },
    { t: "Dòng đã nộp", v: function (r) { return r[18]; }, h: cellsOf }
  ], F, keepFinding, countFindings, function (r) {
    return ' data-huyen="' + esc(r[2]) + '" data-xa="' + esc(r[3]) + '" data-muc="' + SEV[r[0]][0] + '"';
  });
  function countFindings(shown) {
    var by = SEV.map(function () { return 0; });
    shown.forEach(function (r) { by[r[0]]++; });
    var parts = SEV.map(function (s, i) { return num(by[i]) + " " + s[1].toLowerCase(); });
    document.getElementById("dem").innerHTML = "Đang hiện <b>" + num(shown.length) + "</b> trên " + num(F.length) +
      " phát hiện: " + esc(parts.join(", ")) + ".";
    document.getElementById("bang-phat-hien").setAttribute("data-shown", shown.length);
  }

  options(field("loc", "muc"), SEV.map(function (s) { return [s[0], s[1]]; }));
  var used = {};
  F.forEach(function (r) { used[r[1]] = 1; });
  options(field("loc", "kt"), CHECKS.filter(function (c, i) { return used[i]; }).map(function (c) { return [c[0], c[1] + " (" + c[0] + ")"]; }));
  options(field("loc", "tt"), D.states);
  var districts = {}, communes = {};
  F.forEach(function (r) {
    if (r[2]) districts[r[2]] = 1;
    if (r[3]) (communes[r[2]] = communes[r[2]] || {})[r[3]] = 1;
  });
  function byName(codes) { return codes.sort(function (a, b) { return COLLATE(place(a), place(b)) || (a < b ? -1 : 1); }).map(function (c) { return [c, place(c) + " (" + c + ")"]; }); }
  options(field("loc", "huyen"), byName(Object.keys(districts)));
  // the communes of the chosen district (of all districts while they are few: a list of thousands helps no one)
  var MANY = 500;
  function communeOptions() {
    var sel = field("loc", "xa"), pool = {}, n = 0;
    sel.length = 1;
    Object.keys(communes).forEach(function (d) {
      if (want.huyen === "" || d === want.huyen) Object.keys(communes[d]).forEach(function (c) { pool[c] = 1; n++; });
    });
    if (want.huyen === "" && n > MANY && !pool[want.xa]) {
      sel.options[0].textContent = "Tất cả (chọn huyện để lọc theo xã)";
      pool = {};
    } else {
      sel.options[0].textContent = "Tất cả";
    }
    options(sel, byName(Object.keys(pool)));
    sel.value = pool[want.xa] ? want.xa : "";
    if (!pool[want.xa]) want.xa = "";
  }

  function fromControls() {
    ["muc", "kt", "huyen", "xa", "tt"].forEach(function (k) { want[k] = field("loc", k).value; });
    want.q = fold(field("loc", "q").value.trim());
    if (want.q && !text) searchText();
  }
  function toControls(q) {
    ["muc", "kt", "huyen", "tt"].forEach(function (k) {
      var sel = field("loc", k);
      sel.value = want[k];
      if (sel.value !== want[k]) { // not in the list: add it, so the filter stays visible
        options(sel, [[want[k], want[k]]]);
        sel.value = want[k];
      }
    });
    communeOptions();
    field("loc", "q").value = q;
  }
  function hashState() {
    var h = location.hash.replace(/^#/, "");
    if (h.indexOf("=") < 0) return null;
    var got = {};
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) got[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
    });
    return got;
  }
  function applyHash(scroll) {
    var got = hashState();
    if (!got) return false;
    Object.keys(want).forEach(function (k) { want[k] = k === "q" ? fold(got.q || "") : got[k] || ""; });
    if (want.q && !text) searchText();
    toControls(got.q || "");
    if (got.sx !== undefined) { findings.sort = +got.sx; findings.desc = got.nguoc === "1"; }
    findings.refresh();
    if (scroll) document.getElementById("phat-hien").scrollIntoView();
    return true;
  }
  function writeHash() {
    var parts = [];
    Object.keys(want).forEach(function (k) {
      var v = k === "q" ? field("loc", "q").value.trim() : want[k];
      if (v) parts.push(k + "=" + encodeURIComponent(v));
    });
    if (findings.sort >= 0) parts.push("sx=" + findings.sort + (findings.desc ? "&nguoc=1" : ""));
    if (history.replaceState) history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
  }
  var timer = null;
  document.getElementById("loc").addEventListener("input", function (ev) {
    var isText = ev.target.getAttribute("data-f") === "q";
    clearTimeout(timer);
    timer = setTimeout(function () {
      fromControls();
      if (ev.target.getAttribute("data-f") === "huyen") { communeOptions(); }
      findings.refresh();
      writeHash();
    }, isText ? 150 : 0);
  });
  document.querySelector("#loc [data-reset]").addEventListener("click", function () {
    Object.keys(want).forEach(function (k) { want[k] = ""; });
    toControls("");
    findings.sort = -1;
    findings.refresh();
    writeHash();
  });
  document.getElementById("bang-phat-hien").tHead.addEventListener("click", function () { setTimeout(writeHash, 0); });
  window.addEventListener("hashchange", function () { applyHash(true); });

  if (!applyHash(false)) { communeOptions(); findings.refresh(); }
  // time to the first drawn and laid-out table (the benchmark reads it with --dump-dom)
  void document.body.offsetHeight;
  document.documentElement.setAttribute("data-first-render", performance.now().toFixed(0));

  // ---- communes: [district, code, name, 1 on time / 0 late / -1 missing, T date]
  var C = D.com, wantC = { huyen: "", nop: "", q: "" };
  var cText = null;
  C.forEach(function (c, i) { c.push(i); });
  var cDistricts = {};
  C.forEach(function (c) { if (c[0]) cDistricts[c[0]] = 1; });
  options(field("loc-xa", "huyen"), Object.keys(cDistricts).sort().map(function (d) { return [d, place(d) + " (" + d + ")"]; }));
  var STATUS = { "1": "Đúng hạn", "0": "Nộp sau hạn", "-1": "Chưa nộp" };
  var comTable = Table("bang-xa", [
    { t: "Huyện", c: "w-place", v: function (c) { return place(c[0]); }, h: function (c) { return esc(place(c[0])); } },
    { t: "Mã xã", v: function (c) { return c[1]; }, h: function (c) { return '<span class="mono">' + esc(c[1]) + "</span>"; } },
    { t: "Tên xã", c: "w-name", v: function (c) { return c[2]; }, h: function (c) { return esc(c[2]); } },
    { t: "Ngày lập", v: function (c) { return T[c[4]].split("/").reverse().join(""); }, h: function (c) { return esc(T[c[4]]); } },
    { t: "Tình trạng", v: function (c) { return c[3]; }, n: 1, left: 1, h: function (c) { return '<span class="' + (c[3] === 1 ? "ok" : c[3] === 0 ? "warning" : "error") + '">' + STATUS[c[3]] + "</span>"; } }
  ].slice(D.dl ? 0 : 1), C, function (c) { // no district column without a district level
    return (wantC.huyen === "" || c[0] === wantC.huyen) && (wantC.nop === "" || String(c[3]) === wantC.nop) &&
      (wantC.q === "" || cText[c[5]].indexOf(wantC.q) >= 0);
  }, function (shown) {
    var late = 0, missing = 0;
    shown.forEach(function (c) { if (c[3] === 0) late++; if (c[3] === -1) missing++; });
    document.querySelector("#loc-xa [data-count]").textContent = num(shown.length) + " xã: " + num(shown.length - late - missing) +
      " đúng hạn, " + num(late) + " nộp sau hạn, " + num(missing) + " chưa nộp";
  }, null, 25);
  document.getElementById("loc-xa").addEventListener("input", function () {
    wantC.huyen = field("loc-xa", "huyen").value;
    wantC.nop = field("loc-xa", "nop").value;
    wantC.q = fold(field("loc-xa", "q").value.trim());
    if (wantC.q && !cText) cText = C.map(function (c) { return fold(place(c[0]) + " " + c[1] + " " + c[2]); });
    comTable.refresh();
  });
  comTable.refresh();

  // ---- workbooks: D.subKinds per column: f file, n number, s text, t index into T
  var S = D.sub, SC = D.subCols, K = D.subKinds, wantS = { tinh: "", q: "" };
  var STATUS_COL = 7;
  function subText(s, i) { return K[i] === "t" ? T[s[i]] : K[i] === "f" ? (FILES[s[i]] || [""])[0] : s[i]; }
  var sText = null;
  S.forEach(function (s, i) { s.push(i); });
  var statuses = {};
  S.forEach(function (s) { statuses[subText(s, STATUS_COL)] = 1; });
  options(field("loc-tep", "tinh"), Object.keys(statuses).sort().map(function (s) { return [s, s]; }));
  var subCols = SC.map(function (t, i) {
    if (i === 0) return { t: t, c: "w-file", v: function (s) { return subText(s, 0); }, h: function (s) { return link(FILES[s[0]]); } };
    var numeric = K[i] === "n";
    var cls = i === 1 || i === 5 || i === 6 ? "w-sev" : i === 3 || i === 7 ? "w-name" : i >= 15 ? "w-long" : "";
    return { t: t, n: numeric, c: cls, v: function (s) { return s[i]; }, h: function (s) { return numeric ? num(s[i]) : esc(subText(s, i)); } };
  });
  var subTable = Table("bang-tep", subCols, S, function (s) {
    return (wantS.tinh === "" || subText(s, STATUS_COL) === wantS.tinh) && (wantS.q === "" || sText[s[s.length - 1]].indexOf(wantS.q) >= 0);
  }, function (shown) { document.querySelector("#loc-tep [data-count]").textContent = num(shown.length) + " tệp"; }, null, 50);
  document.getElementById("loc-tep").addEventListener("input", function () {
    wantS.tinh = field("loc-tep", "tinh").value;
    wantS.q = fold(field("loc-tep", "q").value.trim());
    if (wantS.q && !sText) sText = S.map(function (s) { return fold([0, 1, 2, 3].map(function (i) { return subText(s, i); }).join(" ")); });
    subTable.refresh();
  });
  subTable.refresh();
  void document.body.offsetHeight;
  document.documentElement.setAttribute("data-ready", performance.now().toFixed(0));
})();
