// Spine Outcomes dashboard: reads the app's JSON query API (../api/) and draws the charts with chart.js
// (served by the app from its class path). Plain script, no build step.
'use strict';

(function () {
  const API = '../api/';
  const SCORE_WINDOWS = ['BASELINE', 'D1', 'W1', 'M1', 'M3', 'M6', 'M12', 'M24'];
  const FOLLOW_UP_WINDOWS = SCORE_WINDOWS.slice(1);
  const ARMS = ['VERTEBROPLASTY', 'KYPHOPLASTY', 'CONSERVATIVE', 'OPEN_SURGERY'];
  const ARM_LABEL = { VERTEBROPLASTY: 'Vertebroplasty', KYPHOPLASTY: 'Kyphoplasty', CONSERVATIVE: 'Conservative care', OPEN_SURGERY: 'Open surgery' };
  // Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
  const ARM_COLOUR = { VERTEBROPLASTY: '#0072B2', KYPHOPLASTY: '#D55E00', CONSERVATIVE: '#009E73', OPEN_SURGERY: '#CC79A7' };
  const COMPARISONS = ['VP_vs_CONSERVATIVE', 'KP_vs_CONSERVATIVE', 'KP_vs_VP'];
  const COMPARISON_LABEL = { VP_vs_CONSERVATIVE: 'Vertebroplasty − conservative', KP_vs_CONSERVATIVE: 'Kyphoplasty − conservative', KP_vs_VP: 'Kyphoplasty − vertebroplasty' };
  const COMPARISON_COLOUR = { VP_vs_CONSERVATIVE: '#0072B2', KP_vs_CONSERVATIVE: '#D55E00', KP_vs_VP: '#6a3d9a' };
  const RESPONDER_FLAGS = [['MCID_2PT', 'Relief ≥ 2 points (MCID)'], ['RELIEF_30PCT', 'Relief ≥ 30%'], ['RELIEF_50PCT', 'Relief ≥ 50%']];
  const SAFETY_FLAGS = [['FURTHER_COLLAPSE', 'Further collapse'], ['ANY_COMPLICATION', 'Any complication'], ['CEMENT_LEAKAGE_PER_LEVEL', 'Cement leakage (per level)']];

  const state = { minCellSize: 11, loads: 0, loading: false, pending: false, lastError: null, dataCut: null, events: 0 };
  const charts = {};
  // For tests and the curious: the chart objects and the load counters.
  window.spineDashboard = { charts: charts, state: state, reload: () => load() };

  const $ = (id) => document.getElementById(id);
  const selected = () => ({ population: $('population').value, window: $('window').value, stratum: $('stratum').value });
  const suppressedText = () => 'suppressed (< ' + state.minCellSize + ' patients)';

  // --- API ------------------------------------------------------------------------------------

  // With spine.http.bearer.token set, the API answers 401 until the browser shows the token. The page asks
  // for it once and keeps it in a cookie of this site only (SameSite=Strict): fetch and EventSource both
  // send cookies, while EventSource cannot send an Authorization header.
  const TOKEN_COOKIE = 'spine_token';
  const TOKEN_CHARS = /^[A-Za-z0-9._~+/=-]{16,}$/;
  let tokenAsked = null;

  function askForToken() {
    if (!tokenAsked) {
      tokenAsked = Promise.resolve().then(() => {
        const t = (window.prompt('This app requires its access token (spine.http.bearer.token):') || '').trim();
        if (!TOKEN_CHARS.test(t)) return false;
        document.cookie = TOKEN_COOKIE + '=' + t + '; path=/; SameSite=Strict';
        return true;
      }).finally(() => { setTimeout(() => { tokenAsked = null; }, 0); });
    }
    return tokenAsked;
  }

  async function getJson(path, attempts) {
    for (let i = 0; ; i++) {
      const response = await fetch(API + path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (response.status === 401 && i < 3 && await askForToken()) continue;
      if (response.status === 503 && i + 1 < (attempts || 6)) {
        const wait = Number(response.headers.get('Retry-After') || '2');
        setStatus('the app is rebalancing; retrying in ' + wait + ' s', 'down');
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        continue;
      }
      const body = await response.json();
      if (!response.ok) throw new Error(path + ': HTTP ' + response.status + ': ' + (body.error || ''));
      return body;
    }
  }

  function query(kind, window, sel) {
    return getJson(kind + '?population=' + sel.population + '&window=' + window + '&stratum=' + sel.stratum);
  }

  // --- data helpers ---------------------------------------------------------------------------

  function byArm(response) {
    const m = {};
    (response.aggregates || []).forEach((a) => { m[a.arm] = a; });
    return m;
  }

  function entry(aggregate, list, nameField, name) {
    if (!aggregate || aggregate.suppressed) return null;
    return (aggregate[list] || []).find((e) => e[nameField] === name) || null;
  }

  function measure(aggregate, name) { return entry(aggregate, 'measures', 'measure', name); }
  function proportion(aggregate, name) { return entry(aggregate, 'proportions', 'flag', name); }
  function value(e, field) { return e && !e.suppressed && e[field] !== null && e[field] !== undefined ? e[field] : null; }
  function percent(v) { return v === null ? null : Math.round(v * 1000) / 10; }
  function fmt(v, digits) { return v === null ? '–' : v.toFixed(digits); }

  /**
   * Tracks what is suppressed for one chart, shown under it grouped by series:
   * "suppressed (< 11 patients): Kyphoplasty at M12, M24; Open surgery at every window".
   */
  function suppressionNotes(places) {
    const bySeries = new Map();
    return {
      check(aggregate, e, series, place) {
        if ((aggregate && aggregate.suppressed) || (e && e.suppressed)) {
          if (!bySeries.has(series)) bySeries.set(series, new Set());
          if (place) bySeries.get(series).add(place);
        }
      },
      show(id) {
        const parts = [];
        bySeries.forEach((where, series) => {
          if (!places || where.size === 0) parts.push(series);
          else if (where.size === places.length) parts.push(series + ' at every window');
          else parts.push(series + ' at ' + places.filter((p) => where.has(p)).join(', '));
        });
        $(id).textContent = parts.length ? suppressedText() + ': ' + parts.join('; ') : '';
      },
    };
  }

  // --- charts ---------------------------------------------------------------------------------

  function chart(id, config) {
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update('none');
      return charts[id];
    }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts[id] = new Chart($(id), config);
    return charts[id];
  }

  const hideBands = { labels: { filter: (item, data) => !data.datasets[item.datasetIndex].band } };

  function drawPain(aggs) {
    const notes = suppressionNotes(SCORE_WINDOWS);
    const datasets = [];
    ARMS.forEach((arm) => {
      const mean = [], lower = [], upper = [];
      SCORE_WINDOWS.forEach((w) => {
        const a = aggs[w][arm];
        const m = measure(a, 'pain');
        notes.check(a, m, ARM_LABEL[arm], w);
        mean.push(value(m, 'mean'));
        lower.push(value(m, 'ciLower'));
        upper.push(value(m, 'ciUpper'));
      });
      if (mean.every((v) => v === null)) return;
      const colour = ARM_COLOUR[arm];
      datasets.push({ label: ARM_LABEL[arm] + ' 95% CI upper', band: true, data: upper, borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false });
      datasets.push({ label: ARM_LABEL[arm] + ' 95% CI', band: true, data: lower, borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: colour + '26', spanGaps: false });
      datasets.push({ label: ARM_LABEL[arm], arm: arm, data: mean, borderColor: colour, backgroundColor: colour, tension: 0.2, spanGaps: false });
    });
    notes.show('suppressed-pain');
    chart('chart-pain', {
      type: 'line',
      data: { labels: SCORE_WINDOWS, datasets: datasets },
      options: {
        plugins: { legend: hideBands },
        scales: { y: { min: 0, max: 10, title: { display: true, text: 'Mean pain (0-10)' } }, x: { title: { display: true, text: 'Window' } } },
      },
    });
  }

  function armBars(id, notesId, aggregates, items, scale) {
    const notes = suppressionNotes();
    const datasets = [];
    ARMS.forEach((arm) => {
      const a = aggregates[arm];
      if (!a) return;
      const data = [], intervals = [];
      items.forEach(([name, label, kind]) => {
        const e = kind === 'measure' ? measure(a, name) : proportion(a, name);
        notes.check(a, e, a.suppressed ? ARM_LABEL[arm] : ARM_LABEL[arm] + ' (' + label + ')');
        if (kind === 'measure') {
          data.push(value(e, 'mean'));
          intervals.push([value(e, 'ciLower'), value(e, 'ciUpper'), value(e, 'n')]);
        } else {
          data.push(percent(value(e, 'proportion')));
          intervals.push([percent(value(e, 'wilsonLower')), percent(value(e, 'wilsonUpper')), value(e, 'n')]);
        }
      });
      datasets.push({ label: ARM_LABEL[arm], arm: arm, data: data, intervals: intervals, backgroundColor: ARM_COLOUR[arm] });
    });
    notes.show(notesId);
    chart(id, {
      type: 'bar',
      data: { labels: items.map((i) => i[1]), datasets: datasets },
      options: {
        plugins: {
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const iv = ctx.dataset.intervals[ctx.dataIndex] || [];
                if (ctx.raw === null) return ctx.dataset.label + ': ' + (ctx.dataset.data.every((v) => v === null) ? suppressedText() : 'no value');
                return ctx.dataset.label + ': ' + ctx.raw.toFixed(1) + (iv[0] !== null && iv[0] !== undefined ? ' [' + iv[0].toFixed(1) + ', ' + iv[1].toFixed(1) + ']' : '') + ' (n = ' + iv[2] + ')';
              },
            },
          },
        },
        scales: { y: scale },
      },
    });
  }

  function drawForest(comparisons) {
    const notes = suppressionNotes(FOLLOW_UP_WINDOWS);
    const datasets = [];
    COMPARISONS.forEach((name) => {
      const intervals = [], points = [];
      FOLLOW_UP_WINDOWS.forEach((w) => {
        const c = (comparisons[w].comparisons || []).find((x) => x.comparison === name);
        const d = c && !c.suppressed ? (c.meanDifferences || []).find((x) => x.measure === 'pain') : null;
        notes.check(c, d, COMPARISON_LABEL[name], w);
        const lo = value(d, 'ciLower'), hi = value(d, 'ciUpper');
        intervals.push(lo !== null && hi !== null ? [lo, hi] : null);
        points.push(value(d, 'meanDifference'));
      });
      const colour = COMPARISON_COLOUR[name];
      datasets.push({ type: 'bar', label: COMPARISON_LABEL[name] + ' 95% CI', band: true, data: intervals, backgroundColor: colour + '66', borderColor: colour, borderWidth: 1, barPercentage: 0.25, categoryPercentage: 0.9, grouped: true });
      datasets.push({ type: 'line', label: COMPARISON_LABEL[name], comparison: name, data: points, showLine: false, pointStyle: 'rectRot', pointRadius: 6, borderColor: colour, backgroundColor: colour });
    });
    notes.show('suppressed-forest');
    chart('chart-forest', {
      type: 'bar',
      data: { labels: FOLLOW_UP_WINDOWS, datasets: datasets },
      options: {
        indexAxis: 'y',
        plugins: { legend: hideBands },
        scales: {
          x: { title: { display: true, text: 'Difference in mean pain (points)' }, grid: { color: (ctx) => (ctx.tick && ctx.tick.value === 0 ? '#1d2330' : '#e5e8ee') } },
          y: { title: { display: true, text: 'Window' } },
        },
      },
    });
  }

  function drawCompleteness(aggs) {
    const notes = suppressionNotes(FOLLOW_UP_WINDOWS);
    const datasets = [];
    ARMS.forEach((arm) => {
      const data = FOLLOW_UP_WINDOWS.map((w) => {
        const a = aggs[w][arm];
        notes.check(a, null, ARM_LABEL[arm], w);
        return a && !a.suppressed && a.completeness ? percent(a.completeness.completeness) : null;
      });
      if (data.every((v) => v === null)) return;
      datasets.push({ label: ARM_LABEL[arm], arm: arm, data: data, borderColor: ARM_COLOUR[arm], backgroundColor: ARM_COLOUR[arm], spanGaps: false });
    });
    notes.show('suppressed-completeness');
    chart('chart-completeness', {
      type: 'line',
      data: { labels: FOLLOW_UP_WINDOWS, datasets: datasets },
      options: { scales: { y: { min: 0, max: 100, title: { display: true, text: 'Assessed / due (%)' } } } },
    });
  }

  function drawTable(aggregates) {
    const body = document.querySelector('#arm-table tbody');
    body.replaceChildren();
    ARMS.forEach((arm) => {
      const a = aggregates[arm];
      if (!a) return;
      const row = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = ARM_LABEL[arm];
      row.appendChild(th);
      if (a.suppressed) {
        const td = row.insertCell();
        td.colSpan = 4;
        td.className = 'suppressed';
        td.textContent = suppressedText();
        return;
      }
      const pain = measure(a, 'pain');
      const mcid = proportion(a, 'MCID_2PT');
      const cells = [
        String(a.patients),
        pain && pain.suppressed ? suppressedText() : fmt(value(pain, 'mean'), 2) + (value(pain, 'ciLower') !== null ? ' [' + fmt(value(pain, 'ciLower'), 2) + ', ' + fmt(value(pain, 'ciUpper'), 2) + ']' : ''),
        mcid && mcid.suppressed ? suppressedText() : (value(mcid, 'proportion') !== null ? percent(mcid.proportion).toFixed(1) + '% of ' + mcid.n : '–'),
        a.completeness && a.completeness.completeness !== null ? percent(a.completeness.completeness).toFixed(1) + '% (' + a.completeness.assessed + ' of ' + a.completeness.due + ')' : '–',
      ];
      cells.forEach((text) => {
        const td = row.insertCell();
        td.textContent = text;
        if (text === suppressedText()) td.className = 'suppressed';
      });
    });
  }

  /** Kaplan-Meier curves per arm (steps after each event day) with their log(-log) CI bands; log-rank lines below. */
  function drawSurvival(tte) {
    const notes = suppressionNotes();
    const datasets = [];
    (tte.kaplanMeier || []).forEach((record) => {
      const arm = record.arm;
      notes.check(record, null, ARM_LABEL[arm]);
      if (record.suppressed) return;
      const km = record.kaplanMeier;
      const steps = (km.curve || []).filter((p) => !p.suppressed);
      const cut = (km.curve || []).some((p) => p.suppressed) || (km.reported || []).some((p) => p.suppressed);
      if (cut) notes.check(null, { suppressed: true }, ARM_LABEL[arm] + ' (end of the curve)');
      // The curve starts at 1 on day 0 and stays flat after its last shown step up to the last reported day shown.
      const line = [{ x: 0, y: 1 }].concat(steps.map((p) => ({ x: p.day, y: p.survival })));
      const lastShown = (km.reported || []).filter((p) => !p.suppressed).map((p) => p.day).pop();
      if (lastShown !== undefined && lastShown > line[line.length - 1].x) line.push({ x: lastShown, y: line[line.length - 1].y });
      const colour = ARM_COLOUR[arm];
      const banded = steps.filter((p) => p.ciLower !== undefined && p.ciLower !== null);
      if (banded.length) {
        datasets.push({ label: ARM_LABEL[arm] + ' 95% CI upper', band: true, data: banded.map((p) => ({ x: p.day, y: p.ciUpper })),
          stepped: 'after', borderWidth: 0, pointRadius: 0, fill: false });
        datasets.push({ label: ARM_LABEL[arm] + ' 95% CI', band: true, data: banded.map((p) => ({ x: p.day, y: p.ciLower })),
          stepped: 'after', borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: colour + '26' });
      }
      datasets.push({ label: ARM_LABEL[arm] + ' (n = ' + km.patients + ', events ' + km.events + ')', arm: arm, data: line,
        stepped: 'after', borderColor: colour, backgroundColor: colour, pointRadius: 0, borderWidth: 2, clip: false });
    });
    const list = $('log-rank');
    list.replaceChildren();
    (tte.logRank || []).forEach((record) => {
      const li = document.createElement('li');
      const name = COMPARISON_LABEL[record.comparison];
      notes.check(record, null, name + ' (log-rank)');
      if (record.suppressed) return;
      const lr = record.logRank;
      li.textContent = name + ': observed ' + lr.observed1 + ' vs ' + lr.observed2 + ' events; '
        + (lr.hazardRatio !== undefined && lr.hazardRatio !== null
          ? 'hazard ratio ' + lr.hazardRatio.toFixed(2) + ' [' + lr.hrLower.toFixed(2) + ', ' + lr.hrUpper.toFixed(2) + '], log-rank p = ' + lr.pValue.toPrecision(2)
          : 'no test (' + (lr.absentReason || 'no events') + ')');
      list.appendChild(li);
    });
    notes.show('suppressed-survival');
    // New fractures are a minority: the axis starts at the tenth below the lowest value shown (band included).
    let lowest = 1;
    datasets.forEach((d) => d.data.forEach((p) => { if (p.y !== null && p.y < lowest) lowest = p.y; }));
    const yMin = Math.max(0, Math.floor(lowest * 10) / 10 - 0.1);
    chart('chart-survival', {
      type: 'line',
      data: { datasets: datasets },
      options: {
        parsing: true,
        plugins: { legend: hideBands },
        scales: {
          x: { type: 'linear', min: 0, max: 900, title: { display: true, text: 'Days since the index treatment' } },
          y: { min: yMin, max: 1, title: { display: true, text: 'Without a new fracture' + (yMin > 0 ? ' (axis from ' + yMin.toFixed(1) + ')' : '') } },
        },
      },
    });
  }

  /** Crude (Welch) and standardised differences side by side per comparison, for the selected window and measure. */
  function drawAdjusted(response) {
    const measureName = $('adjusted-measure').value;
    const notes = suppressionNotes();
    const crude = [], crudeCi = [], adjusted = [], adjustedCi = [], labels = [], shares = [], absent = [];
    COMPARISONS.forEach((name) => {
      const c = (response.adjustedComparisons || []).find((x) => x.comparison === name && x.measure === measureName);
      labels.push(COMPARISON_LABEL[name]);
      notes.check(c, null, COMPARISON_LABEL[name]);
      const shown = c && !c.suppressed;
      crude.push(shown ? value(c, 'crudeDifference') : null);
      crudeCi.push(shown && value(c, 'crudeCiLower') !== null ? [c.crudeCiLower, c.crudeCiUpper] : null);
      adjusted.push(shown ? value(c, 'difference') : null);
      adjustedCi.push(shown && value(c, 'ciLower') !== null ? [c.ciLower, c.ciUpper] : null);
      shares.push(shown ? value(c, 'sharePooled') : null);
      if (shown && value(c, 'difference') === null) absent.push(COMPARISON_LABEL[name] + ' (' + (c.absentReason || 'absent') + ')');
    });
    notes.show('suppressed-adjusted');
    // Estimates the rule leaves absent are named with their reason, after the suppressed ones.
    if (absent.length) $('suppressed-adjusted').textContent += ($('suppressed-adjusted').textContent ? ' ' : '') + 'No standardised estimate: ' + absent.join('; ');
    chart('chart-adjusted', {
      type: 'bar',
      data: {
        labels: labels,
        datasets: [
          { type: 'bar', label: 'Crude 95% CI', band: true, data: crudeCi, backgroundColor: '#5b647566', borderColor: '#5b6475', borderWidth: 1, barPercentage: 0.3, categoryPercentage: 0.8 },
          { type: 'bar', label: 'Standardised 95% CI', band: true, data: adjustedCi, backgroundColor: '#0b5cad66', borderColor: '#0b5cad', borderWidth: 1, barPercentage: 0.3, categoryPercentage: 0.8 },
          { type: 'line', label: 'Crude (Welch)', data: crude, showLine: false, pointStyle: 'rectRot', pointRadius: 6, borderColor: '#5b6475', backgroundColor: '#5b6475' },
          { type: 'line', label: 'Standardised', data: adjusted, shares: shares, showLine: false, pointStyle: 'circle', pointRadius: 6, borderColor: '#0b5cad', backgroundColor: '#0b5cad' },
        ],
      },
      options: {
        indexAxis: 'y',
        plugins: {
          legend: hideBands,
          tooltip: {
            callbacks: {
              afterLabel: (ctx) => (ctx.dataset.shares && ctx.dataset.shares[ctx.dataIndex] !== null
                ? 'share of patients in usable patterns: ' + percent(ctx.dataset.shares[ctx.dataIndex]).toFixed(1) + '%' : ''),
            },
          },
        },
        scales: {
          x: { title: { display: true, text: measureName === 'MCID_2PT' ? 'Risk difference' : 'Difference (points)' },
            grid: { color: (ctx) => (ctx.tick && ctx.tick.value === 0 ? '#1d2330' : '#e5e8ee') } },
        },
      },
    });
  }

  // --- loading --------------------------------------------------------------------------------

  async function load() {
    if (state.loading) { state.pending = true; return; }
    state.loading = true;
    const sel = selected();
    document.querySelectorAll('.window-name').forEach((e) => { e.textContent = sel.window; });
    try {
      const windows = SCORE_WINDOWS.concat(['POST', 'OVERALL']);
      const [aggList, cmpList, adjusted, tte] = await Promise.all([
        Promise.all(windows.map((w) => query('aggregates', w, sel))),
        Promise.all(FOLLOW_UP_WINDOWS.map((w) => query('comparisons', w, sel))),
        getJson('adjusted-comparisons?population=' + sel.population + '&window=' + sel.window),
        getJson('time-to-event?population=' + sel.population + '&stratum=' + sel.stratum),
      ]);
      state.adjusted = adjusted;
      const aggs = {}, cmps = {};
      windows.forEach((w, i) => { aggs[w] = byArm(aggList[i]); });
      FOLLOW_UP_WINDOWS.forEach((w, i) => { cmps[w] = cmpList[i]; });
      state.dataCut = aggList[0].dataCut;
      $('data-cut').textContent = state.dataCut ? state.dataCut.replace('T', ' ').replace(':00Z', ' UTC').replace('Z', ' UTC') : 'none yet';

      drawPain(aggs);
      armBars('chart-responders', 'suppressed-responders', aggs[sel.window],
        RESPONDER_FLAGS.map(([f, l]) => [f, l, 'flag']), { min: 0, max: 100, title: { display: true, text: 'Patients (%)' } });
      armBars('chart-imaging', 'suppressed-imaging', aggs.POST,
        [['restorationPctAnterior', 'Anterior height restored (%)', 'measure'], ['restorationPctMiddle', 'Middle height restored (%)', 'measure'],
          ['kyphosisCorrectionDeg', 'Kyphosis correction (°)', 'measure']], { title: { display: true, text: 'Mean (% or degrees)' } });
      armBars('chart-safety', 'suppressed-safety', aggs.OVERALL,
        SAFETY_FLAGS.map(([f, l]) => [f, l, 'flag']), { min: 0, title: { display: true, text: 'Patients or levels (%)' } });
      drawForest(cmps);
      drawSurvival(tte);
      drawAdjusted(adjusted);
      drawCompleteness(aggs);
      drawTable(aggs[sel.window]);
      state.lastError = null;
      state.loads++;
      document.body.dataset.loads = String(state.loads);
    } catch (e) {
      state.lastError = String(e);
      setStatus('could not load: ' + e.message, 'down');
    } finally {
      state.loading = false;
      if (state.pending) { state.pending = false; load(); }
    }
  }

  function setStatus(text, kind) {
    const s = $('live-status');
    s.textContent = text;
    s.className = kind || '';
  }

  // --- live updates ---------------------------------------------------------------------------

  let reloadTimer = null;

  function scheduleReload() {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => { reloadTimer = null; load(); }, 1000);
  }

  function connect() {
    const source = new EventSource(API + 'stream');
    source.addEventListener('hello', (e) => {
      const hello = JSON.parse(e.data);
      setThreshold(hello.minCellSize);
      setStatus('live (' + hello.instance + ')', 'live');
    });
    // Reload when a record of the selection changed. Keys: aggregates and comparisons
    // population/arm-or-comparison/window/stratum; standardised comparisons population/comparison/window/measure;
    // time to event population/arm-or-comparison/stratum.
    const onChange = (matches) => (e) => {
      state.events++;
      const parts = (JSON.parse(e.data).key || '').split('/');
      if (matches(parts, selected())) scheduleReload();
    };
    const byStratum = onChange((p, sel) => p[0] === sel.population && p[3] === sel.stratum);
    source.addEventListener('aggregate', byStratum);
    source.addEventListener('comparison', byStratum);
    source.addEventListener('adjusted-comparison', onChange((p, sel) => p[0] === sel.population && p[2] === sel.window));
    source.addEventListener('time-to-event', onChange((p, sel) => p[0] === sel.population && p[2] === sel.stratum));
    source.onerror = () => setStatus('reconnecting…', 'down');
  }

  function setThreshold(n) {
    state.minCellSize = n;
    $('min-cell-size').textContent = String(n);
    document.querySelectorAll('.min-cell-size').forEach((e) => { e.textContent = String(n); });
  }

  async function start() {
    ['population', 'window', 'stratum'].forEach((id) => $(id).addEventListener('change', () => load()));
    $('adjusted-measure').addEventListener('change', () => { if (state.adjusted) drawAdjusted(state.adjusted); });
    try {
      const index = await getJson('');
      setThreshold(index.minCellSize);
    } catch (e) {
      state.lastError = String(e);
    }
    await load();
    connect();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
