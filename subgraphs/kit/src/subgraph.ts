import type { EntityClass, MigrationObject } from '@mikro-orm/core';
import type { Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import { AuditEntry } from './audit/audit-entry.entity.js';
import type { HubContext } from './context.js';
import { openDatabase, type DatabaseTarget, type HubDatabase } from './db.js';
import type { Logger } from './log.js';
import { kitMigration } from './migrations/kit-tables.migration.js';
import type { EventBus } from './outbox/bus.js';
import { OutboxEvent } from './outbox/outbox-event.entity.js';
import { OutboxRelay } from './outbox/outbox.js';
import { closeInTurn } from './process.js';
import { ProcessedEvent } from './outbox/processed-event.entity.js';
import { startSubgraphServer, type RunningServer } from './server.js';

/** What a running subgraph's parts may use besides the request. */
export interface SubgraphServices {
  db: HubDatabase;
  bus: EventBus;
  log: Logger;
  actorKey: Uint8Array;
  /** Other subgraphs' base URLs (e.g. `cases` → http://127.0.0.1:4001), for signed internal calls. */
  peers: Record<string, string>;
  /** The hub's clock; tests move it. */
  clock: () => Date;
  /** Tells the outbox relay that a change with events has committed (as a request's `changed`). */
  changed(): void;
}

/** Something a subgraph runs in the background (a scheduler); stopped before the database closes. */
export interface BackgroundTask {
  stop(): Promise<void>;
}

/** The parts that make one subgraph; the kit wires them the same way for all four. */
export interface SubgraphDefinition<C extends HubContext> {
  name: string;
  entities: EntityClass<unknown>[];
  migrations: MigrationObject[];
  buildSchema(): Promise<GraphQLSchema>;
  /** Adds the subgraph's loaders (and anything else per request) to the kit's context. */
  createContext(base: HubContext, services: SubgraphServices): C;
  /** Routes under /internal for other hub services (a signed `service` actor only). */
  internal?(router: Router, db: HubDatabase, services: SubgraphServices): void;
  /** Subscribes the subgraph's event consumers. */
  subscribe?(services: SubgraphServices): Promise<void>;
  /** Starts background work once the server listens. */
  background?(services: SubgraphServices): BackgroundTask;
}

/** Where and how this process runs the subgraph. */
export interface SubgraphRuntime {
  target: DatabaseTarget;
  actorKey: Uint8Array;
  bus: EventBus;
  log: Logger;
  port: number;
  host?: string;
  bodyLimit: string;
  /** How long requests in flight may take to finish when it closes (default 6000 ms). */
  drainMs?: number;
  /** Outbox relay poll interval (default 1000 ms). */
  relayIntervalMs?: number;
  /** Other subgraphs' base URLs. */
  peers?: Record<string, string>;
  /** Defaults to the system clock. */
  clock?: () => Date;
}

export interface SubgraphHandle {
  name: string;
  url: string;
  port: number;
  db: HubDatabase;
  relay: OutboxRelay;
  /**
   * Stops accepting, finishes requests in flight and stops background tasks, leaving the outbox
   * and the database open: subgraphs sharing an in-process bus quiesce together, then flush, so
   * none delivers an event to one whose database has closed.
   */
  quiesce(): Promise<void>;
  /** Quiesces (if not yet), flushes the outbox, closes the database. */
  close(): Promise<void>;
}

/** Every subgraph keeps these kit tables beside its own. */
export const KIT_ENTITIES = [OutboxEvent, ProcessedEvent, AuditEntry];

export async function startSubgraph<C extends HubContext>(
  definition: SubgraphDefinition<C>,
  runtime: SubgraphRuntime,
): Promise<SubgraphHandle> {
  const log = runtime.log.child({ subgraph: definition.name });
  const db = await openDatabase({
    target: runtime.target,
    entities: [...KIT_ENTITIES, ...definition.entities],
    migrations: [kitMigration, ...definition.migrations],
    log,
  });
  let server: RunningServer | null = null;
  const relay = new OutboxRelay(db.orm, runtime.bus, definition.name, log);
  const services: SubgraphServices = {
    db,
    bus: runtime.bus,
    log,
    actorKey: runtime.actorKey,
    peers: runtime.peers ?? {},
    clock: runtime.clock ?? (() => new Date()),
    changed: () => relay.nudge(),
  };
  try {
    await definition.subscribe?.(services);
    server = await startSubgraphServer(
      {
        name: definition.name,
        schema: await definition.buildSchema(),
        db,
        actorKey: runtime.actorKey,
        log,
        relay,
        bodyLimit: runtime.bodyLimit,
        drainMs: runtime.drainMs,
        createContext: (base) => definition.createContext(base, services),
        clock: services.clock,
        internal: definition.internal
          ? (router) => definition.internal!(router, db, services)
          : undefined,
      },
      { port: runtime.port, host: runtime.host },
    );
  } catch (error) {
    await db.close();
    throw error;
  }
  relay.start(runtime.relayIntervalMs);
  const background = definition.background?.(services);
  const running = server;
  let quiesced: Promise<void> | null = null;
  const quiesce = () =>
    (quiesced ??= closeInTurn(`${definition.name} subgraph`, [
      ['finishing requests in flight', () => running.close()],
      ['stopping background tasks', () => background?.stop()],
    ]));
  return {
    name: definition.name,
    url: running.url,
    port: running.port,
    db,
    relay,
    quiesce,
    close: () =>
      closeInTurn(`${definition.name} subgraph`, [
        ['finishing requests in flight and background tasks', quiesce],
        ['flushing the outbox', () => relay.stop()],
        ['closing the database', () => db.close()],
      ]),
  };
}
