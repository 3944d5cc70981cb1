// An in-memory RocketMQ 5 proxy for tests: a real gRPC server on loopback that implements
// apache.rocketmq.v2.MessagingService from the client's own .proto files, so the official
// rocketmq-client-nodejs Producer, SimpleConsumer and PushConsumer talk to it unmodified.
//
// Semantics follow the real proxy + broker "pop" mode: every consumer group has its own view of
// a topic (its own cursors), consumers of one group share it (clustering), a delivered message
// stays invisible for its invisible duration and comes back with delivery_attempt + 1 unless it
// is acked, and a message whose deliveries reach the max attempts goes to the group's DLQ.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

// ---- proto loading ---------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const PROTO_ROOT = join(dirname(require.resolve('rocketmq-client-nodejs/package.json')), 'proto');

let serviceDefinition: grpc.ServiceDefinition | undefined;
function messagingService(): grpc.ServiceDefinition {
  if (!serviceDefinition) {
    // Numbers for int64 (offsets, timestamps) and enum names as strings keep the handlers readable.
    const def = protoLoader.loadSync('apache/rocketmq/v2/service.proto', {
      includeDirs: [PROTO_ROOT],
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      apache: { rocketmq: { v2: { MessagingService: grpc.ServiceClientConstructor } } };
    };
    serviceDefinition = pkg.apache.rocketmq.v2.MessagingService.service;
  }
  return serviceDefinition;
}

// ---- wire shapes (only the fields this fake reads or writes) ----------------------------------

interface Resource { name?: string; resourceNamespace?: string }
interface PbDuration { seconds?: number | string; nanos?: number }
interface PbTimestamp { seconds?: number | string; nanos?: number }
interface Status { code: string; message: string }
interface FilterExpressionPb { type?: string; expression?: string }
interface SystemPropertiesPb {
  tag?: string;
  keys?: string[];
  messageId?: string;
  bodyEncoding?: string;
  messageType?: string;
  bornTimestamp?: PbTimestamp | null;
  bornHost?: string;
  deliveryTimestamp?: PbTimestamp | null;
  queueId?: number;
  messageGroup?: string;
  traceContext?: string;
}
interface MessagePb {
  topic?: Resource | null;
  userProperties?: Record<string, string>;
  systemProperties?: SystemPropertiesPb | null;
  body?: Buffer;
}
interface SettingsPb {
  clientType?: string;
  accessPoint?: unknown;
  backoffPolicy?: { maxAttempts?: number } | null;
  requestTimeout?: PbDuration | null;
  pubSub?: 'publishing' | 'subscription';
  publishing?: { topics?: Resource[] } | null;
  subscription?: { group?: Resource | null; subscriptions?: { topic?: Resource | null; expression?: FilterExpressionPb | null }[] } | null;
  userAgent?: unknown;
}
interface TelemetryCommandPb { command?: string; settings?: SettingsPb | null }
interface ReceiveRequestPb {
  group?: Resource | null;
  messageQueue?: { topic?: Resource | null; id?: number } | null;
  filterExpression?: FilterExpressionPb | null;
  batchSize?: number;
  invisibleDuration?: PbDuration | null;
  autoRenew?: boolean;
  longPollingTimeout?: PbDuration | null;
}
interface HandleRequestPb {
  group?: Resource | null;
  topic?: Resource | null;
  receiptHandle?: string;
  messageId?: string;
  invisibleDuration?: PbDuration | null;
  deliveryAttempt?: number;
  maxDeliveryAttempts?: number;
}

type Unary<Req> = (call: grpc.ServerUnaryCall<Req, unknown>, cb: grpc.sendUnaryData<unknown>) => void;

const OK: Status = { code: 'OK', message: 'OK' };
const status = (code: string, message: string): Status => ({ code, message });
const durationOf = (ms: number): PbDuration => ({ seconds: Math.floor(ms / 1000), nanos: Math.floor(ms % 1000) * 1e6 });
const timestampOf = durationOf;
const msOf = (d: PbDuration | PbTimestamp | null | undefined): number =>
  d ? Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6) : 0;
const hasDuration = (d: PbDuration | null | undefined): boolean => !!d && (Number(d.seconds ?? 0) > 0 || (d.nanos ?? 0) > 0);
const newMessageId = (): string => `01${randomBytes(16).toString('hex').toUpperCase()}`;
const newHandle = (): string => randomBytes(18).toString('base64url');

// ---- public types ----------------------------------------------------------------------------

export type MessageTypeName = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION';
const ALL_TYPES: MessageTypeName[] = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION'];

export interface TopicSpec {
  name: string;
  /** Number of queues; defaults to the server's queuesPerTopic. */
  queues?: number;
  /** Message types the topic accepts (the client validates against them); default all four. */
  messageTypes?: MessageTypeName[];
}

export interface FakeRocketMqOptions {
  host?: string;
  port?: number;
  queuesPerTopic?: number;
  topics?: Array<string | TopicSpec>;
  /** Unknown topics are created on first use (QueryRoute/SendMessage); false gives TOPIC_NOT_FOUND. */
  autoCreateTopics?: boolean;
  /** Deliveries per message and group before it goes to the DLQ (the broker's maxReconsumeTimes + 1). */
  maxDeliveryAttempts?: number;
  /** Long-polling timeout pushed to PushConsumers in settings (the client has no working option for it). */
  pushLongPollingMs?: number;
  /** receive_batch_size pushed to PushConsumers in settings. */
  receiveBatchSize?: number;
  maxBodySize?: number;
  validateMessageType?: boolean;
  /** Invisible time of an auto-renewed (PushConsumer) delivery whose client sent no x-mq-client-id. */
  defaultInvisibleMs?: number;
  /**
   * Consumer groups configured for FIFO (orderly) consumption: settings say fifo, assignments are
   * per queue, and a queue gives the group nothing new while any of its messages is in flight.
   */
  fifoGroups?: string[];
}

export interface PublishOptions {
  body: Buffer | string;
  tag?: string;
  keys?: string[];
  properties?: Record<string, string> | Map<string, string>;
  messageGroup?: string;
  /** Deliver no earlier than this (a DELAY message). */
  deliveryTimestamp?: Date;
  queueId?: number;
}

export interface StoredMessage {
  topic: string;
  queueId: number;
  /** Queue offset; -1 while a delay/transaction message is not yet in its queue. */
  offset: number;
  messageId: string;
  body: Buffer;
  tag?: string;
  keys: string[];
  properties: Record<string, string>;
  messageGroup?: string;
  messageType: string;
  bornTimestamp: number;
  bornHost: string;
  storeTimestamp: number;
  deliveryTimestamp?: number;
  traceContext?: string;
}

export interface AckedMessage extends StoredMessage {
  group: string;
  deliveryAttempt: number;
  deliveredAt: number;
  ackedAt: number;
}

export interface DeadLetter extends StoredMessage {
  group: string;
  deliveryAttempt: number;
  /** 'forwarded' = the client called ForwardMessageToDeadLetterQueue; 'max-attempts' = the server moved it. */
  reason: 'forwarded' | 'max-attempts';
  at: number;
}

export interface GroupStats {
  /** Messages in the topic's queues (committed and due). */
  published: number;
  /** Deliveries, first ones and redeliveries. */
  delivered: number;
  acked: number;
  /** Delivered, not acked, still invisible. */
  inFlight: number;
  /** Never delivered to this group yet, or visible again and waiting for redelivery. */
  pending: number;
  /** Deliveries with delivery_attempt > 1. */
  redelivered: number;
  deadLettered: number;
  /** Skipped by this group's tag filter. */
  filtered: number;
  /** ChangeInvisibleDuration calls (nack / postpone). */
  invisibleChanges: number;
}

export interface ClientInfo {
  clientId: string;
  clientType: string;
  group?: string;
  topics: string[];
  alive: boolean;
}

export interface FakeRocketMq {
  /** "127.0.0.1:port", the client's `endpoints` option. */
  readonly endpoint: string;
  readonly port: number;
  /** RPC name -> number of calls. */
  readonly calls: Readonly<Record<string, number>>;
  createTopic(spec: string | TopicSpec): void;
  /** Store a message as a producer would; returns its message id. */
  publish(topic: string, message: PublishOptions): string;
  /** All messages in the topic's queues, in queue/offset order. */
  messages(topic: string): StoredMessage[];
  stats(topic: string, group: string): GroupStats;
  acked(topic: string, group: string): AckedMessage[];
  deadLetters(topic: string, group: string): DeadLetter[];
  clients(): ClientInfo[];
  /** Resolve once predicate() is true; reject after timeoutMs (default 10 s). */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Ends open streams and long polls, then shuts the server down. Shut the clients down first. */
  stop(): Promise<void>;
}

// ---- state -----------------------------------------------------------------------------------

interface Topic {
  name: string;
  queues: StoredMessage[][];
  messageTypes: MessageTypeName[];
  rr: number; // where the next pop starts, so no queue starves
  nextPublishQueue: number;
}

interface Delivery {
  msg: StoredMessage;
  attempts: number;
  handle: string;
  /** Infinity while a live PushConsumer holds it (auto-renew). */
  invisibleUntil: number;
  autoRenewClient?: string;
  deliveredAt: number;
}

interface GroupTopic {
  group: string;
  topic: string;
  cursors: number[];
  inflight: Map<string, Delivery>;
  acked: AckedMessage[];
  dead: DeadLetter[];
  delivered: number;
  redelivered: number;
  filtered: number;
  invisibleChanges: number;
}

interface ClientState extends ClientInfo {
  telemetry: Set<grpc.ServerDuplexStream<TelemetryCommandPb, unknown>>;
}

function tagFilter(expr: FilterExpressionPb | null | undefined): ((tag: string | undefined) => boolean) | Status {
  const type = expr?.type ?? 'TAG';
  if (type === 'SQL') return status('ILLEGAL_FILTER_EXPRESSION', 'SQL92 filters are not implemented by the fake proxy');
  const text = (expr?.expression ?? '').trim();
  if (text === '' || text === '*') return () => true;
  const tags = new Set(text.split('||').map((t) => t.trim()).filter((t) => t !== ''));
  return (tag) => tag !== undefined && tags.has(tag);
}

export async function startFakeRocketMq(options: FakeRocketMqOptions = {}): Promise<FakeRocketMq> {
  const opts = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    queuesPerTopic: options.queuesPerTopic ?? 4,
    autoCreateTopics: options.autoCreateTopics ?? true,
    maxDeliveryAttempts: options.maxDeliveryAttempts ?? 16,
    pushLongPollingMs: options.pushLongPollingMs ?? 1000,
    receiveBatchSize: options.receiveBatchSize ?? 32,
    maxBodySize: options.maxBodySize ?? 4 * 1024 * 1024,
    validateMessageType: options.validateMessageType ?? true,
    defaultInvisibleMs: options.defaultInvisibleMs ?? 30_000,
    fifoGroups: new Set(options.fifoGroups ?? []),
  };
  let port = 0;
  let stopped = false;
  const topics = new Map<string, Topic>();
  const groups = new Map<string, GroupTopic>();
  const handles = new Map<string, { gt: GroupTopic; d: Delivery }>();
  const halfMessages = new Map<string, StoredMessage>(); // transaction id -> prepared message
  const scheduled = new Map<string, { msg: StoredMessage; timer: NodeJS.Timeout }>(); // recall handle -> delay message
  const clients = new Map<string, ClientState>();
  const waiters = new Set<{ clientId: string; wake: (final?: boolean) => void; abort: () => void }>();
  const timers = new Set<NodeJS.Timeout>();
  const calls: Record<string, number> = {};
  const count = (name: string) => { calls[name] = (calls[name] ?? 0) + 1; };

  const createTopic = (spec: string | TopicSpec): Topic => {
    const s = typeof spec === 'string' ? { name: spec } : spec;
    let t = topics.get(s.name);
    if (!t) {
      const n = Math.max(1, s.queues ?? opts.queuesPerTopic);
      t = { name: s.name, queues: Array.from({ length: n }, () => []), messageTypes: s.messageTypes ?? ALL_TYPES, rr: 0, nextPublishQueue: 0 };
      topics.set(s.name, t);
    }
    return t;
  };
  for (const spec of options.topics ?? []) createTopic(spec);
  const topicFor = (name: string | undefined): Topic | Status => {
    if (!name) return status('ILLEGAL_TOPIC', 'topic name is empty');
    const t = topics.get(name);
    if (t) return t;
    if (!opts.autoCreateTopics) return status('TOPIC_NOT_FOUND', `topic ${name} does not exist`);
    return createTopic(name);
  };
  const groupTopic = (group: string, topic: Topic): GroupTopic => {
    const key = `${group}\u0000${topic.name}`;
    let gt = groups.get(key);
    if (!gt) {
      // A new group starts at the beginning of every queue, so it sees messages sent before it existed.
      gt = { group, topic: topic.name, cursors: topic.queues.map(() => 0), inflight: new Map(), acked: [], dead: [],
        delivered: 0, redelivered: 0, filtered: 0, invisibleChanges: 0 };
      groups.set(key, gt);
    }
    return gt;
  };

  // Timers never keep the process alive and all die with stop().
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => { timers.delete(t); if (!stopped) fn(); }, Math.max(0, ms));
    t.unref();
    timers.add(t);
    return t;
  };
  const wakeAll = () => { for (const w of [...waiters]) w.wake(); };
  // One timer per 10 ms slot, not one per delivered message, to wake long polls when messages
  // become visible again.
  const wakeSlots = new Set<number>();
  const wakeAt = (ms: number) => {
    const slot = Math.ceil((Date.now() + ms + 2) / 10) * 10; // +2: timers may fire 1 ms early by Date.now()
    if (wakeSlots.has(slot)) return;
    wakeSlots.add(slot);
    later(slot - Date.now(), () => { wakeSlots.delete(slot); wakeAll(); });
  };

  const endpointsPb = () => ({ scheme: 'IPv4', addresses: [{ host: opts.host, port }] });
  const broker = () => ({ name: 'fake-broker', id: 0, endpoints: endpointsPb() });
  const queuePb = (t: Topic, id: number) => ({
    topic: { name: t.name, resourceNamespace: '' }, id, permission: 'READ_WRITE', broker: broker(), acceptMessageTypes: t.messageTypes,
  });

  const append = (t: Topic, msg: StoredMessage) => {
    const q = t.queues[msg.queueId] ?? t.queues[0]!;
    msg.queueId = t.queues.indexOf(q);
    msg.offset = q.length;
    msg.storeTimestamp = Date.now();
    q.push(msg);
    wakeAll();
  };

  // Store one message the way the broker would: delay messages wait for their time, transaction
  // messages for their commit, everything else goes to its queue at once.
  const store = (t: Topic, msg: StoredMessage): { offset: number; transactionId: string; recallHandle: string } => {
    if (msg.messageType === 'TRANSACTION') {
      const transactionId = newHandle();
      halfMessages.set(transactionId, msg);
      return { offset: -1, transactionId, recallHandle: '' };
    }
    const due = msg.deliveryTimestamp ?? 0;
    if (due > Date.now()) {
      const recallHandle = newHandle();
      const timer = later(due - Date.now(), () => { scheduled.delete(recallHandle); append(t, msg); });
      scheduled.set(recallHandle, { msg, timer });
      return { offset: -1, transactionId: '', recallHandle };
    }
    append(t, msg);
    return { offset: msg.offset, transactionId: '', recallHandle: '' };
  };

  const deadLetter = (gt: GroupTopic, d: Delivery, reason: DeadLetter['reason'], attempts = d.attempts) => {
    gt.inflight.delete(`${d.msg.queueId}:${d.msg.offset}`);
    handles.delete(d.handle);
    gt.dead.push({ ...d.msg, group: gt.group, deliveryAttempt: attempts, reason, at: Date.now() });
  };

  const toWire = (d: Delivery, invisibleMs: number) => {
    const m = d.msg;
    const sp: Record<string, unknown> = {
      keys: m.keys,
      messageId: m.messageId,
      bodyDigest: { type: 'CRC32', checksum: String(crc32(m.body)) },
      bodyEncoding: 'IDENTITY',
      messageType: m.messageType,
      bornTimestamp: timestampOf(m.bornTimestamp),
      bornHost: m.bornHost,
      storeTimestamp: timestampOf(m.storeTimestamp),
      storeHost: `${opts.host}:${port}`,
      receiptHandle: d.handle,
      queueId: m.queueId,
      queueOffset: m.offset,
      invisibleDuration: durationOf(invisibleMs),
      deliveryAttempt: d.attempts,
    };
    if (m.tag !== undefined) sp.tag = m.tag;
    if (m.messageGroup !== undefined) sp.messageGroup = m.messageGroup;
    if (m.deliveryTimestamp !== undefined) sp.deliveryTimestamp = timestampOf(m.deliveryTimestamp);
    if (m.traceContext !== undefined) sp.traceContext = m.traceContext;
    return { topic: { name: m.topic, resourceNamespace: '' }, userProperties: m.properties, systemProperties: sp, body: m.body };
  };

  // Pop up to batchSize messages for a group: first those visible again (redeliveries), then new ones.
  // fifoQueue: undefined for a normal group; for a FIFO group the requested queue id (-1 = any).
  const take = (gt: GroupTopic, t: Topic, matches: (tag: string | undefined) => boolean, batchSize: number,
    invisibleMs: number, autoRenewClient: string | undefined, fifoQueue?: number) => {
    const now = Date.now();
    const picked: Delivery[] = [];
    const fifo = fifoQueue !== undefined;
    const inQueue = (qid: number) => !fifo || fifoQueue < 0 || fifoQueue === qid;
    const due = [...gt.inflight.values()].filter((d) => d.invisibleUntil <= now && inQueue(d.msg.queueId))
      .sort((a, b) => (fifo ? a.msg.offset - b.msg.offset : a.invisibleUntil - b.invisibleUntil));
    for (const d of due) {
      if (picked.length >= batchSize) break;
      if (d.attempts >= opts.maxDeliveryAttempts) { deadLetter(gt, d, 'max-attempts'); continue; }
      if (matches(d.msg.tag)) picked.push(d);
    }
    // A FIFO queue stays blocked for the group while any of its messages is in flight.
    const blocked = new Set<number>();
    if (fifo) for (const d of gt.inflight.values()) if (d.invisibleUntil > now || picked.includes(d)) blocked.add(d.msg.queueId);
    for (let i = 0; i < t.queues.length && picked.length < batchSize; i++) {
      const qid = (t.rr + i) % t.queues.length;
      if (!inQueue(qid) || blocked.has(qid)) continue;
      const q = t.queues[qid]!;
      while ((gt.cursors[qid] ?? 0) < q.length && picked.length < batchSize) {
        const msg = q[gt.cursors[qid]!]!;
        gt.cursors[qid] = gt.cursors[qid]! + 1;
        if (!matches(msg.tag)) { gt.filtered++; continue; }
        const d: Delivery = { msg, attempts: 0, handle: '', invisibleUntil: 0, deliveredAt: 0 };
        gt.inflight.set(`${qid}:${msg.offset}`, d);
        picked.push(d);
      }
    }
    t.rr = (t.rr + 1) % t.queues.length;
    return picked.map((d) => {
      handles.delete(d.handle);
      d.handle = newHandle();
      d.attempts++;
      d.deliveredAt = now;
      if (d.attempts > 1) gt.redelivered++;
      gt.delivered++;
      if (autoRenewClient) {
        // The real proxy renews these while the client lives; it lets go when the client leaves.
        d.invisibleUntil = Infinity;
        d.autoRenewClient = autoRenewClient;
      } else {
        d.invisibleUntil = now + invisibleMs;
        d.autoRenewClient = undefined;
        wakeAt(invisibleMs);
      }
      handles.set(d.handle, { gt, d });
      return toWire(d, autoRenewClient ? opts.defaultInvisibleMs : invisibleMs);
    });
  };

  // A handle is good while it is the delivery's latest one and the message is still invisible,
  // as with the real proxy, which rejects expired receipt handles.
  const lookup = (group: string | undefined, topic: string | undefined, handle: string | undefined):
    { gt: GroupTopic; d: Delivery } | Status => {
    const e = handles.get(handle ?? '');
    if (!e || e.d.handle !== handle) return status('INVALID_RECEIPT_HANDLE', 'unknown receipt handle');
    if (e.gt.group !== group || (topic && e.gt.topic !== topic)) return status('INVALID_RECEIPT_HANDLE', 'receipt handle of another group or topic');
    if (e.d.invisibleUntil <= Date.now()) return status('INVALID_RECEIPT_HANDLE', 'receipt handle is expired');
    return e;
  };

  const releaseClient = (clientId: string) => {
    const c = clients.get(clientId);
    if (c) c.alive = false;
    // Its long polls may not have seen their cancellation yet; they must not take what is freed below.
    for (const w of [...waiters]) if (w.clientId === clientId) w.abort();
    let released = false;
    for (const gt of groups.values()) {
      for (const d of gt.inflight.values()) {
        if (d.autoRenewClient === clientId) { d.autoRenewClient = undefined; d.invisibleUntil = Date.now(); released = true; }
      }
    }
    if (released) wakeAll();
  };

  const clientIdOf = (call: { metadata: grpc.Metadata }): string => String(call.metadata.get('x-mq-client-id')[0] ?? '');
  const clientState = (id: string): ClientState => {
    let c = clients.get(id);
    if (!c) { c = { clientId: id, clientType: 'CLIENT_TYPE_UNSPECIFIED', topics: [], alive: true, telemetry: new Set() }; clients.set(id, c); }
    return c;
  };

  const toStored = (m: MessagePb, topic: string): StoredMessage => {
    const sp = m.systemProperties ?? {};
    let body = Buffer.from(m.body ?? Buffer.alloc(0));
    if (sp.bodyEncoding === 'GZIP') body = gunzipSync(body);
    const stored: StoredMessage = {
      topic, queueId: sp.queueId ?? 0, offset: -1, messageId: sp.messageId || newMessageId(), body,
      keys: [...(sp.keys ?? [])], properties: { ...(m.userProperties ?? {}) },
      messageType: sp.messageType || 'NORMAL', bornTimestamp: msOf(sp.bornTimestamp) || Date.now(),
      bornHost: sp.bornHost ?? '', storeTimestamp: 0,
    };
    if (sp.tag) stored.tag = sp.tag;
    if (sp.messageGroup) stored.messageGroup = sp.messageGroup;
    if (sp.deliveryTimestamp) stored.deliveryTimestamp = msOf(sp.deliveryTimestamp);
    if (sp.traceContext) stored.traceContext = sp.traceContext;
    return stored;
  };

  // ---- RPC handlers ----

  const QueryRoute: Unary<{ topic?: Resource | null }> = (call, cb) => {
    count('QueryRoute');
    const t = topicFor(call.request.topic?.name);
    if ('code' in t) return cb(null, { status: t, messageQueues: [] });
    cb(null, { status: OK, messageQueues: t.queues.map((_, i) => queuePb(t, i)) });
  };

  const Heartbeat: Unary<{ group?: Resource | null; clientType?: string }> = (call, cb) => {
    count('Heartbeat');
    const id = clientIdOf(call);
    if (id) {
      const c = clientState(id);
      if (call.request.group?.name) c.group = call.request.group.name;
      if (call.request.clientType) c.clientType = call.request.clientType;
    }
    cb(null, { status: OK });
  };

  const NotifyClientTermination: Unary<{ group?: Resource | null }> = (call, cb) => {
    count('NotifyClientTermination');
    const id = clientIdOf(call);
    if (id) releaseClient(id);
    cb(null, { status: OK });
  };

  const settingsReply = (s: SettingsPb) => {
    const base = { clientType: s.clientType, accessPoint: s.accessPoint, requestTimeout: s.requestTimeout, userAgent: s.userAgent, metric: { on: false } };
    // The client reads only the whole seconds of the backoff (and then treats them as ms).
    const backoff = { initial: durationOf(1000), max: durationOf(10_000), multiplier: 2 };
    if (s.pubSub === 'publishing') {
      return { ...base, backoffPolicy: { maxAttempts: s.backoffPolicy?.maxAttempts || 3, exponentialBackoff: backoff },
        publishing: { topics: s.publishing?.topics ?? [], maxBodySize: opts.maxBodySize, validateMessageType: opts.validateMessageType } };
    }
    return { ...base, backoffPolicy: { maxAttempts: opts.maxDeliveryAttempts, exponentialBackoff: backoff },
      subscription: { group: s.subscription?.group, subscriptions: s.subscription?.subscriptions ?? [],
        fifo: opts.fifoGroups.has(s.subscription?.group?.name ?? ''),
        receiveBatchSize: opts.receiveBatchSize, longPollingTimeout: durationOf(opts.pushLongPollingMs) } };
  };

  const Telemetry = (call: grpc.ServerDuplexStream<TelemetryCommandPb, unknown>) => {
    count('Telemetry');
    const id = clientIdOf(call);
    const c = id ? clientState(id) : undefined;
    c?.telemetry.add(call);
    call.on('data', (cmd: TelemetryCommandPb) => {
      // The client's startup() blocks until the first settings answer arrives.
      if (cmd.command !== 'settings' || !cmd.settings) return;
      const s = cmd.settings;
      if (c) {
        c.alive = true;
        c.clientType = s.clientType ?? c.clientType;
        if (s.pubSub === 'publishing') c.topics = (s.publishing?.topics ?? []).map((r) => r.name ?? '');
        else {
          if (s.subscription?.group?.name) c.group = s.subscription.group.name;
          c.topics = (s.subscription?.subscriptions ?? []).map((e) => e.topic?.name ?? '');
        }
      }
      call.write({ status: OK, settings: settingsReply(s) });
    });
    const closed = () => {
      if (!c || !c.telemetry.delete(call)) return;
      // A client whose last telemetry stream is gone has crashed or left: free what it held.
      if (c.telemetry.size === 0) releaseClient(c.clientId);
    };
    call.on('end', () => { call.end(); closed(); });
    call.on('cancelled', closed);
    call.on('close', closed);
    call.on('error', closed);
  };

  const SendMessage: Unary<{ messages?: MessagePb[] }> = (call, cb) => {
    count('SendMessage');
    const entries = (call.request.messages ?? []).map((m) => {
      const messageId = m.systemProperties?.messageId ?? '';
      const fail = (s: Status) => ({ status: s, messageId, transactionId: '', offset: 0, recallHandle: '' });
      const t = topicFor(m.topic?.name);
      if ('code' in t) return fail(t);
      const msg = toStored(m, t.name);
      if (msg.body.length === 0) return fail(status('MESSAGE_BODY_EMPTY', 'message body is empty'));
      if (msg.body.length > opts.maxBodySize) return fail(status('MESSAGE_BODY_TOO_LARGE', `body exceeds ${opts.maxBodySize} bytes`));
      if (!t.messageTypes.includes(msg.messageType as MessageTypeName)) {
        return fail(status('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', `topic ${t.name} does not accept ${msg.messageType} messages`));
      }
      return { status: OK, messageId: msg.messageId, ...store(t, msg) };
    });
    const failed = entries.find((e) => e.status.code !== 'OK');
    cb(null, { status: failed ? failed.status : OK, entries });
  };

  const QueryAssignment: Unary<{ topic?: Resource | null; group?: Resource | null }> = (call, cb) => {
    count('QueryAssignment');
    if (!call.request.group?.name) return cb(null, { status: status('ILLEGAL_CONSUMER_GROUP', 'group is empty'), assignments: [] });
    const t = topicFor(call.request.topic?.name);
    if ('code' in t) return cb(null, { status: t, assignments: [] });
    groupTopic(call.request.group.name, t);
    // Like the proxy: a FIFO group gets every queue, any other group one assignment per broker
    // with queue id -1 = "any queue".
    const ids = opts.fifoGroups.has(call.request.group.name) ? t.queues.map((_, i) => i) : [-1];
    cb(null, { status: OK, assignments: ids.map((id) => ({ messageQueue: queuePb(t, id) })) });
  };

  const ReceiveMessage = (call: grpc.ServerWritableStream<ReceiveRequestPb, unknown>) => {
    count('ReceiveMessage');
    const r = call.request;
    const finishWith = (s: Status) => { call.write({ status: s }); call.end(); };
    const group = r.group?.name;
    if (!group) return finishWith(status('ILLEGAL_CONSUMER_GROUP', 'group is empty'));
    const t = topicFor(r.messageQueue?.topic?.name);
    if ('code' in t) return finishWith(t);
    const matches = tagFilter(r.filterExpression);
    if (typeof matches !== 'function') return finishWith(matches);
    const clientId = clientIdOf(call);
    // Auto-renew only while the client is known alive; otherwise nobody would ever free the message.
    const autoRenewClient = r.autoRenew && clientId && clients.get(clientId)?.alive ? clientId : undefined;
    const invisibleMs = r.autoRenew ? opts.defaultInvisibleMs : msOf(r.invisibleDuration);
    if (!r.autoRenew && invisibleMs <= 0) return finishWith(status('ILLEGAL_INVISIBLE_TIME', 'invisible duration must be positive'));
    const gt = groupTopic(group, t);
    const batch = Math.max(1, r.batchSize ?? 1);
    const fifoQueue = opts.fifoGroups.has(group) ? (r.messageQueue?.id ?? -1) : undefined;

    // Long-poll for the requested time, but answer before the client's own deadline passes.
    const now = Date.now();
    const deadline = call.getDeadline();
    const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
    const pollMs = hasDuration(r.longPollingTimeout) ? msOf(r.longPollingTimeout) : opts.pushLongPollingMs;
    const pollEnd = Math.min(now + pollMs, Number.isFinite(deadlineMs) ? deadlineMs - 200 : Infinity);

    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const waiter = {
      clientId,
      // final: the poll's own timer, which must answer even if it fires a millisecond "early" by Date.now().
      wake: (final = false) => {
        if (done) return;
        if (call.cancelled) return waiter.abort();
        const got = stopped ? [] : take(gt, t, matches, batch, invisibleMs, autoRenewClient, fifoQueue);
        if (got.length === 0 && !final && !stopped) return;
        done = true;
        waiters.delete(waiter);
        if (timer) { clearTimeout(timer); timers.delete(timer); }
        if (got.length === 0) return finishWith(status('MESSAGE_NOT_FOUND', 'no new message'));
        call.write({ status: OK });
        for (const m of got) call.write({ message: m });
        call.end();
      },
      abort: () => {
        done = true;
        waiters.delete(waiter);
        if (timer) { clearTimeout(timer); timers.delete(timer); }
      },
    };
    call.on('cancelled', waiter.abort);
    waiter.wake();
    if (done) return;
    waiters.add(waiter);
    timer = later(pollEnd - Date.now(), () => waiter.wake(true));
  };

  const AckMessage: Unary<{ group?: Resource | null; topic?: Resource | null; entries?: { messageId?: string; receiptHandle?: string }[] }> = (call, cb) => {
    count('AckMessage');
    const { group, topic } = call.request;
    const entries = (call.request.entries ?? []).map((e) => {
      const found = lookup(group?.name, topic?.name, e.receiptHandle);
      if ('code' in found) return { messageId: e.messageId, receiptHandle: e.receiptHandle, status: found };
      const { gt, d } = found;
      gt.inflight.delete(`${d.msg.queueId}:${d.msg.offset}`);
      handles.delete(d.handle);
      gt.acked.push({ ...d.msg, group: gt.group, deliveryAttempt: d.attempts, deliveredAt: d.deliveredAt, ackedAt: Date.now() });
      return { messageId: e.messageId, receiptHandle: e.receiptHandle, status: OK };
    });
    const bad = entries.filter((e) => e.status.code !== 'OK');
    const overall = bad.length === 0 ? OK : bad.length === entries.length ? bad[0]!.status : status('MULTIPLE_RESULTS', 'some entries failed');
    cb(null, { status: overall, entries });
  };

  const ChangeInvisibleDuration: Unary<HandleRequestPb> = (call, cb) => {
    count('ChangeInvisibleDuration');
    const r = call.request;
    const found = lookup(r.group?.name, r.topic?.name, r.receiptHandle);
    if ('code' in found) return cb(null, { status: found, receiptHandle: '' });
    const { gt, d } = found;
    const ms = msOf(r.invisibleDuration);
    handles.delete(d.handle);
    d.handle = newHandle();
    d.autoRenewClient = undefined;
    d.invisibleUntil = Date.now() + ms;
    handles.set(d.handle, found);
    gt.invisibleChanges++;
    wakeAt(ms);
    cb(null, { status: OK, receiptHandle: d.handle });
  };

  const ForwardMessageToDeadLetterQueue: Unary<HandleRequestPb> = (call, cb) => {
    count('ForwardMessageToDeadLetterQueue');
    const r = call.request;
    const found = lookup(r.group?.name, r.topic?.name, r.receiptHandle);
    if ('code' in found) return cb(null, { status: found });
    // FIFO consumers retry locally, so the client's attempt count is the one that matters.
    deadLetter(found.gt, found.d, 'forwarded', Math.max(found.d.attempts, r.deliveryAttempt ?? 0));
    cb(null, { status: OK });
  };

  const EndTransaction: Unary<{ transactionId?: string; resolution?: string }> = (call, cb) => {
    count('EndTransaction');
    const msg = halfMessages.get(call.request.transactionId ?? '');
    if (!msg) return cb(null, { status: status('INVALID_TRANSACTION_ID', 'unknown transaction id') });
    if (call.request.resolution === 'TRANSACTION_RESOLUTION_UNSPECIFIED') return cb(null, { status: OK });
    halfMessages.delete(call.request.transactionId ?? '');
    if (call.request.resolution === 'COMMIT') {
      const t = topics.get(msg.topic);
      if (t) append(t, msg);
    }
    cb(null, { status: OK });
  };

  const RecallMessage: Unary<{ recallHandle?: string }> = (call, cb) => {
    count('RecallMessage');
    const s = scheduled.get(call.request.recallHandle ?? '');
    if (!s) return cb(null, { status: status('NOT_FOUND', 'nothing to recall'), messageId: '' });
    clearTimeout(s.timer);
    timers.delete(s.timer);
    scheduled.delete(call.request.recallHandle ?? '');
    cb(null, { status: OK, messageId: s.msg.messageId });
  };

  // PullMessage, UpdateOffset, GetOffset, QueryOffset and SyncLiteSubscription are left out:
  // grpc-js answers them with UNIMPLEMENTED, and this client's Producer and consumers never call them.
  const server = new grpc.Server();
  server.addService(messagingService(), {
    QueryRoute, Heartbeat, NotifyClientTermination, Telemetry, SendMessage, QueryAssignment, ReceiveMessage,
    AckMessage, ChangeInvisibleDuration, ForwardMessageToDeadLetterQueue, EndTransaction, RecallMessage,
  } as unknown as grpc.UntypedServiceImplementation);

  port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${opts.host}:${opts.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });

  const statsOf = (topic: string, group: string): GroupStats => {
    const t = topics.get(topic);
    const published = t ? t.queues.reduce((n, q) => n + q.length, 0) : 0;
    const gt = groups.get(`${group}\u0000${topic}`);
    if (!gt || !t) {
      return { published, delivered: 0, acked: 0, inFlight: 0, pending: published, redelivered: 0, deadLettered: 0, filtered: 0, invisibleChanges: 0 };
    }
    const now = Date.now();
    let inFlight = 0;
    let waiting = 0;
    for (const d of gt.inflight.values()) { if (d.invisibleUntil > now) inFlight++; else waiting++; }
    const unread = t.queues.reduce((n, q, i) => n + q.length - (gt.cursors[i] ?? 0), 0);
    return { published, delivered: gt.delivered, acked: gt.acked.length, inFlight, pending: unread + waiting,
      redelivered: gt.redelivered, deadLettered: gt.dead.length, filtered: gt.filtered, invisibleChanges: gt.invisibleChanges };
  };

  return {
    endpoint: `${opts.host}:${port}`,
    port,
    calls,
    createTopic: (spec) => { createTopic(spec); },
    publish(topic, m) {
      const t = createTopic(topic);
      const props = m.properties instanceof Map ? Object.fromEntries(m.properties) : { ...(m.properties ?? {}) };
      const type: MessageTypeName = m.messageGroup ? 'FIFO' : m.deliveryTimestamp ? 'DELAY' : 'NORMAL';
      const queueId = m.queueId ?? (t.nextPublishQueue++ % t.queues.length);
      const msg: StoredMessage = {
        topic, queueId, offset: -1, messageId: newMessageId(),
        body: typeof m.body === 'string' ? Buffer.from(m.body) : Buffer.from(m.body),
        keys: [...(m.keys ?? [])], properties: props, messageType: type,
        bornTimestamp: Date.now(), bornHost: hostname(), storeTimestamp: 0,
      };
      if (m.tag !== undefined) msg.tag = m.tag;
      if (m.messageGroup !== undefined) msg.messageGroup = m.messageGroup;
      if (m.deliveryTimestamp) msg.deliveryTimestamp = m.deliveryTimestamp.getTime();
      store(t, msg);
      return msg.messageId;
    },
    messages: (topic) => (topics.get(topic)?.queues ?? []).flat().map((m) => ({ ...m })),
    stats: statsOf,
    acked: (topic, group) => [...(groups.get(`${group}\u0000${topic}`)?.acked ?? [])],
    deadLetters: (topic, group) => [...(groups.get(`${group}\u0000${topic}`)?.dead ?? [])],
    clients: () => [...clients.values()].map(({ telemetry: _t, ...info }) => ({ ...info, topics: [...info.topics] })),
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const start = Date.now();
        const tick = () => {
          let ok = false;
          try { ok = predicate(); } catch (err) { return reject(err); }
          if (ok) return resolve();
          if (Date.now() - start > timeoutMs) return reject(new Error(`fake RocketMQ: condition not met within ${timeoutMs} ms`));
          setTimeout(tick, 20);
        };
        tick();
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const w of [...waiters]) w.wake(); // answers MESSAGE_NOT_FOUND now that stopped is set
      for (const c of clients.values()) for (const s of c.telemetry) { try { s.end(); } catch { /* already closed */ } }
      await new Promise<void>((resolve) => {
        // Connections of clients that were never shut down would hold tryShutdown open.
        const force = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
        server.tryShutdown(() => { clearTimeout(force); resolve(); });
      });
    },
  };
}
