/**
 * The analysis of the image on screen: the question, method and knobs (kept while moving from image
 * to image, since a question is usually asked of many), the run in flight (one method, or all six in
 * turn) with its progress and Cancel, the result shown with its view settings, and the stored runs
 * of this image. Moving to another image cancels a run in flight, so a result never lands on the
 * wrong picture.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { WorkbenchError, toErrorData, type WorkbenchErrorData } from '../../../common/contract/errors.ts';
import type { HeadMaps, ImageEntry, ImageQuestion, LaserMethodInfo, LaserRecordSummary, LaserResult } from '../../../common/contract/methods.ts';
import type { MethodId } from '../../../common/laser/knobs.ts';
import { useCall, type CallState } from '../common/use-call.ts';
import { useApi } from '../host-context.tsx';
import { useModels } from '../models/models-context.tsx';
import { runInTurn, type Outcome } from './comparison.ts';
import { defaultFields, fieldsFromKnobs, formatDefault, knobsFromFields, type KnobFields } from './knob-form.ts';
import { defaultMap, mapChoices } from './maps.ts';
import { cellAt, defaultViewSettings, overlayModel, type OverlayModel, type ViewSettings } from './overlay.ts';
import { advance, noProgress, type RunProgressState } from './stages.ts';
import { loadSession, loadView, saveSession, saveView } from './view-state.ts';
import { truthFor } from '../../../common/laser/truth.ts';

export interface Running {
  mode: 'one' | 'all';
  method: MethodId;
  progress: RunProgressState;
  controller: AbortController;
}

export type Comparison = Partial<Record<MethodId, Outcome>>;

export interface Analysis {
  methods: CallState<LaserMethodInfo[]>;
  question: string;
  setQuestion(q: string): void;
  method: MethodId;
  setMethod(m: MethodId): void;
  /** The current method's knob fields. */
  fields: KnobFields;
  setFields(f: KnobFields): void;
  running: Running | null;
  run(): void;
  runAll(): void;
  cancel(): void;
  /** The last run's failure (or a refusal before it started); null after a success. */
  error: { method: MethodId; error: WorkbenchErrorData } | null;
  result: LaserResult | null;
  show(result: LaserResult): void;
  comparison: Comparison | null;
  view: ViewSettings;
  setView(change: Partial<ViewSettings>): void;
  /** What lies over the image now; null without a result. */
  overlay: OverlayModel | null;
  /** The grid cell under the pointer on the image, with the shown map's value there. */
  hover: { cell: number; value: number | null } | null;
  setHoverPoint(point: [number, number] | null): void;
  records: CallState<LaserRecordSummary[]>;
  /** The questions a generated world asks about this image, with their truth ([] for other images). */
  worldQuestions: CallState<ImageQuestion[]>;
  /** The world question the shown result asked, when it is one. */
  truth: ImageQuestion | null;
  openRecord(id: string): void;
  /** Puts a result's question, method and knobs into the form. */
  reuse(result: LaserResult): void;
}

export function useAnalysis(entry: ImageEntry): Analysis {
  const api = useApi();
  const models = useModels();
  const methods = useCall<LaserMethodInfo[]>('laser.methods', () => api.call('laser.methods', {}));
  // the form's question and method survive a reload (and, as state here, moving between images)
  const [question, setQuestionState] = useState(() => loadSession(sessionStorage).question);
  const [method, setMethodState] = useState<MethodId>(() => loadSession(sessionStorage).method);
  const setQuestion = useCallback((q: string) => {
    setQuestionState(q);
    saveSession(sessionStorage, { question: q });
  }, []);
  const setMethod = useCallback((m: MethodId) => {
    setMethodState(m);
    saveSession(sessionStorage, { method: m });
  }, []);
  const [fieldsBy, setFieldsBy] = useState<Partial<Record<MethodId, KnobFields>>>({});
  const [running, setRunning] = useState<Running | null>(null);
  const [error, setError] = useState<Analysis['error']>(null);
  const [result, setResult] = useState<LaserResult | null>(null);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [view, setViewState] = useState<ViewSettings>(defaultViewSettings);
  const [recordsVersion, setRecordsVersion] = useState(0);
  const records = useCall<LaserRecordSummary[]>(`${entry.path}\n${recordsVersion}`, () => api.call('laser.records', { imagePath: entry.path }));
  // a generated world's image (the bundled samples) comes with questions whose truth is known
  const worldQuestions = useCall<ImageQuestion[]>(entry.path, () => api.call('library.imageQuestions', { path: entry.path }));
  const runningRef = useRef<Running | null>(null);
  runningRef.current = running;
  // Which image a callback belongs to: answers that arrive after a move to another image are dropped.
  const generation = useRef(0);

  const infoOf = useCallback((m: MethodId) => (methods.status === 'ok' ? methods.value.find((x) => x.id === m) : undefined), [methods]);
  const fieldsOf = useCallback((m: MethodId): KnobFields => fieldsBy[m] ?? defaultFields(infoOf(m)?.knobs ?? []), [fieldsBy, infoOf]);

  // A new image: stop what runs for the old one and show nothing of it.
  useEffect(() => {
    generation.current += 1;
    runningRef.current?.controller.abort();
    setRunning(null);
    setResult(null);
    setError(null);
    setComparison(null);
    // what was on screen for this image before (a reload, or back from another image)
    const saved = loadView(sessionStorage, entry.path);
    if (saved) {
      const g = generation.current;
      api.call('laser.record', { id: saved.resultId }).then(
        (r) => {
          if (g !== generation.current) return;
          setResult(r);
          setViewState(saved.view);
        },
        () => {},
      );
    }
  }, [entry.path, api]);
  useEffect(() => {
    if (result) saveView(sessionStorage, entry.path, { resultId: result.id, view });
  }, [result, view, entry.path]);
  // Leaving the image view cancels too.
  useEffect(() => () => runningRef.current?.controller.abort(), []);

  const show = useCallback((r: LaserResult) => {
    setResult(r);
    setViewState((v) => ({ ...v, layer: r.record.layer, map: defaultMap(mapChoices(r, r.record.layer)) ?? 'off' }));
  }, []);

  const setView = useCallback((change: Partial<ViewSettings>) => setViewState((v) => ({ ...v, ...change })), []);

  /** One method with the form's question and that method's knobs; refuses before calling when it can tell. */
  const runMethod = useCallback(
    (m: MethodId, controller: AbortController, onProgress: (p: Parameters<typeof advance>[1]) => void): Promise<LaserResult> => {
      const model = models.selected;
      if (!model) {
        return Promise.reject(
          new WorkbenchError(
            'not-found',
            'No model is selected, so there is nothing to run the question on.',
            'Open Models in the top bar and add a compiled bundle or a Hugging Face checkpoint (LLaVA-1.5, Qwen2-VL, Qwen2.5-VL).',
          ),
        );
      }
      const info = infoOf(m);
      const form = knobsFromFields(info?.knobs ?? [], fieldsOf(m));
      if (!form.ok) {
        const [name, why] = Object.entries(form.errors)[0];
        const d = info!.knobs.find((k) => k.name === name)!;
        return Promise.reject(
          new WorkbenchError('bad-request', `Knob ${name} of ${m} ${why}.`, `Change ${name}, or reset it to the default (${formatDefault(d)}).`),
        );
      }
      return api.call(
        'laser.run',
        { modelId: model.id, imagePath: entry.path, question, method: m, knobs: form.knobs },
        { signal: controller.signal, onProgress },
      );
    },
    [api, models.selected, infoOf, fieldsOf, entry.path, question],
  );

  const finished = useCallback(() => {
    setRunning(null);
    setRecordsVersion((v) => v + 1);
    // The demo model compiles on its first run; its status changes.
    if (models.selected?.status !== 'ready') models.reload();
  }, [models]);

  const progressFor = (controller: AbortController) => (p: Parameters<typeof advance>[1]) =>
    setRunning((r) => (r && r.controller === controller ? { ...r, progress: advance(r.progress, p) } : r));

  const run = useCallback(() => {
    if (runningRef.current) return;
    const controller = new AbortController();
    const g = generation.current;
    const m = method;
    setRunning({ mode: 'one', method: m, progress: noProgress, controller });
    setError(null);
    setComparison(null);
    runMethod(m, controller, progressFor(controller)).then(
      (r) => {
        if (g !== generation.current) return;
        show(r);
        finished();
      },
      (e: unknown) => {
        if (g !== generation.current) return;
        setError({ method: m, error: toErrorData(e) });
        finished();
      },
    );
  }, [method, runMethod, show, finished]);

  const runAll = useCallback(() => {
    if (runningRef.current || methods.status !== 'ok') return;
    const controller = new AbortController();
    const g = generation.current;
    const order = methods.value.map((x) => x.id);
    const outcomes: Comparison = Object.fromEntries(order.map((m) => [m, { status: 'pending' }]));
    setComparison(outcomes);
    setError(null);
    setRunning({ mode: 'all', method: order[0], progress: noProgress, controller });
    let last: LaserResult | null = null;
    runInTurn(
      order,
      (m) => runMethod(m, controller, progressFor(controller)),
      controller.signal,
      (m, outcome) => {
        if (g !== generation.current) return;
        if (outcome.status === 'running') setRunning((r) => (r && r.controller === controller ? { ...r, method: m, progress: noProgress } : r));
        if (outcome.status === 'ok' && (m === 'laser' || last?.record.method !== 'laser')) last = outcome.result;
        setComparison((c) => (c ? { ...c, [m]: outcome } : c));
      },
    ).finally(() => {
      if (g !== generation.current) return;
      if (last) show(last);
      finished();
    });
  }, [methods, runMethod, show, finished]);

  const cancel = useCallback(() => runningRef.current?.controller.abort(), []);

  const openRecord = useCallback(
    (id: string) => {
      const g = generation.current;
      setError(null);
      api.call('laser.record', { id }).then(
        (r) => g === generation.current && show(r),
        (e: unknown) => g === generation.current && setError({ method, error: toErrorData(e) }),
      );
    },
    [api, show, method],
  );

  const reuse = useCallback(
    (r: LaserResult) => {
      setQuestion(r.record.question);
      setMethod(r.record.method);
      const info = infoOf(r.record.method);
      if (info) setFieldsBy((f) => ({ ...f, [r.record.method]: fieldsFromKnobs(info.knobs, r.record.knobs) }));
    },
    [infoOf, setQuestion, setMethod],
  );

  const truth = useMemo(
    () => (result && worldQuestions.status === 'ok' ? truthFor(result.record.question, worldQuestions.value) : null),
    [result, worldQuestions],
  );
  // one head or the top-k heads of A: that layer's per-head maps, loaded once per run and layer
  const [headMaps, setHeadMaps] = useState<{ id: string; maps: HeadMaps } | null>(null);
  const headCache = useRef(new Map<string, HeadMaps>());
  const needId = result && result.views.contrastive && view.map === 'A' && view.heads.kind !== 'mean' && view.layer !== null ? result.id : null;
  const needLayer = needId === null ? null : view.layer;
  // one object per (run, layer), so the effect below runs once per pair, not once per render
  const needHeads = useMemo(() => (needId !== null && needLayer !== null ? { id: needId, layer: needLayer } : null), [needId, needLayer]);
  useEffect(() => {
    if (!needHeads) return;
    const key = `${needHeads.id}:${needHeads.layer}`;
    const hit = headCache.current.get(key);
    if (hit) {
      setHeadMaps({ id: needHeads.id, maps: hit });
      return;
    }
    let live = true;
    api.call('laser.headMaps', needHeads).then(
      (maps) => {
        headCache.current.set(key, maps);
        if (live) setHeadMaps({ id: needHeads.id, maps });
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api, needHeads]);
  const shownHeads = headMaps && result && headMaps.id === result.id ? headMaps.maps : null;
  const overlay = useMemo(() => (result ? overlayModel(result, view, truth?.box ?? null, shownHeads) : null), [result, view, truth, shownHeads]);
  const [hover, setHover] = useState<Analysis['hover']>(null);
  const setHoverPoint = useCallback(
    (p: [number, number] | null) => {
      const cell = p && result ? cellAt(result.views.cells, p[0], p[1]) : -1;
      const values = overlay?.map?.values ?? null;
      // Only a change of cell re-renders the panel; the pointer moves far more often.
      setHover((h) => (cell < 0 ? null : h && h.cell === cell && h.value === (values?.[cell] ?? null) ? h : { cell, value: values?.[cell] ?? null }));
    },
    [result, overlay],
  );

  const fields = fieldsOf(method);
  const setFields = useCallback((f: KnobFields) => setFieldsBy((all) => ({ ...all, [method]: f })), [method]);

  return useMemo(
    () => ({
      methods,
      question,
      setQuestion,
      method,
      setMethod,
      fields,
      setFields,
      running,
      run,
      runAll,
      cancel,
      error,
      result,
      show,
      comparison,
      view,
      setView,
      overlay,
      hover,
      setHoverPoint,
      records,
      worldQuestions,
      truth,
      openRecord,
      reuse,
    }),
    [
      methods,
      question,
      setQuestion,
      method,
      setMethod,
      fields,
      setFields,
      running,
      run,
      runAll,
      cancel,
      error,
      result,
      show,
      comparison,
      view,
      setView,
      overlay,
      hover,
      setHoverPoint,
      records,
      worldQuestions,
      truth,
      openRecord,
      reuse,
    ],
  );
}
