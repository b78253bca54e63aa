import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type RunningHub } from '@hub/cli';
import { createTokenVerifier, loadOrCreateEmbeddedKey, mintToken } from '@hub/gateway';
import { createLogger, newInternalSecret, type DatabaseTarget } from '@hub/kit';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../dataset/dataset.load.js';
import { sizeSpec } from '../dataset/dataset.spec.js';
import { SUBGRAPHS, type SubgraphName } from '../dataset/tables.js';
import { awaitWrites, checkWrites, snapshotWrites, type WritesBaseline } from './writes.check.js';
import { copySqliteDataset, parseWritesArgs } from './writes.command.js';
import { runWrites, type WriteClient, type WritesRun } from './writes.runner.js';
import { pickWriteSubjects, type WriteSubject } from './writes.subjects.js';

/**
 * The writes harness on a small generated dataset and the real hub in this process: its
 * clients raise and escalate for two seconds, the checks pass on what the hub wrote, and each
 * check fails on the databases tampered with as it guards against.
 */
describe('the writes benchmark on a small dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-writes-'));
  const targets = Object.fromEntries(
    SUBGRAPHS.map((name) => [name, { kind: 'sqlite', file: join(dir, `${name}.sqlite`) }]),
  ) as Record<SubgraphName, DatabaseTarget>;
  let hub: RunningHub | null = null;
  let subjects: WriteSubject[];
  let baseline: WritesBaseline;
  let run: WritesRun;
  const sqlite = <T>(name: SubgraphName, use: (db: Database.Database) => T): T => {
    const db = new Database(join(dir, `${name}.sqlite`));
    try {
      return use(db);
    } finally {
      db.close();
    }
  };
  const failing = async () =>
    (await checkWrites(targets, baseline, run.raised))
      .filter((c) => !c.ok)
      .map((c) => [c.name, c.detail]);

  beforeAll(async () => {
    const log = createLogger('test', 'silent');
    await loadDataset({ ...sizeSpec('S'), escalations: 240, boards: 2, years: 2 }, targets, log);
    const key = await loadOrCreateEmbeddedKey(join(dir, 'key'));
    hub = await startHub({
      targets,
      ports: { gateway: 0, cases: 0, escalations: 0, panels: 0, learning: 0 },
      internalSecret: newInternalSecret(),
      verifier: await createTokenVerifier({}, key),
      supergraphSdl: readFileSync(
        new URL('../../../schema/supergraph.graphql', import.meta.url),
        'utf8',
      ),
      log,
      bodyLimit: '1mb',
      maxDepth: 10,
      maxCost: 5000,
      relayIntervalMs: 200,
    });
    subjects = await pickWriteSubjects(targets, 4);
    const clients: WriteClient[] = [];
    for (const subject of subjects) {
      clients.push({
        ...subject,
        token: await mintToken(key, { subject: subject.practitionerId }),
      });
    }
    baseline = await snapshotWrites(targets);
    run = await runWrites(hub.url, clients, { durationSeconds: 2, noncePrefix: 'test' });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks distinct front-line practitioners, each with a case its agency and the one challenged are involved in', () => {
    expect(new Set(subjects.map((s) => s.practitionerId)).size).toBe(4);
    expect(new Set(subjects.map((s) => s.caseId)).size).toBe(4);
    sqlite('cases', (db) => {
      for (const s of subjects) {
        const involved = db
          .prepare('select agency_id from case_agency where case_id = ?')
          .all(s.caseId)
          .map((r) => (r as { agency_id: string }).agency_id);
        expect(involved).toContain(s.agencyId);
        expect(involved).toContain(s.respondingAgencyId);
        expect(s.respondingAgencyId).not.toBe(s.agencyId);
        const person = db
          .prepare('select roles, active from practitioner where id = ?')
          .get(s.practitionerId) as {
          roles: string;
          active: number;
        };
        expect(JSON.parse(person.roles)).toContain('PRACTITIONER');
        expect(person.active).toBe(1);
      }
    });
  });

  it('raises and escalates under concurrent clients, and what it wrote passes every check once the events are applied', async () => {
    const { raiseEscalation, addEscalationRecord, escalateEscalation } = run.mutations;
    expect(raiseEscalation.firstError).toBeNull();
    expect(raiseEscalation.ok).toBeGreaterThanOrEqual(4);
    expect(escalateEscalation.errors, escalateEscalation.firstError ?? '').toBe(0);
    expect(addEscalationRecord.ok).toBe(raiseEscalation.ok);
    expect(run.escalated).toHaveLength(raiseEscalation.ok);
    expect(raiseEscalation.p50).toBeGreaterThan(0);
    expect(raiseEscalation.p99).toBeGreaterThanOrEqual(raiseEscalation.p50);
    const { checks } = await awaitWrites(targets, baseline, run.raised, 20);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks).toHaveLength(8);
    // Stopped, the relays drained: the databases hold the same.
    await hub!.close();
    hub = null;
    expect(await failing()).toEqual([]);
    const stages = sqlite('escalations', (db) =>
      db
        .prepare(
          'select current_stage_number as n, count(*) as c from escalation where raised_at >= ? group by 1',
        )
        .all(baseline.startedAt.getTime()),
    );
    expect(stages).toEqual([{ n: 2, c: run.raised.length }]);
  });

  it('fails on a skipped reference: the counter moved on without an escalation', async () => {
    const { board, year, last } = sqlite('escalations', (db) => {
      const [, y] = /^ESC-(\d{4})-/.exec(run.raised[0]!.reference)!;
      const row = db
        .prepare(
          "select board_id as board, year, last from reference_counter where prefix = 'ESC' and board_id = ? and year = ?",
        )
        .get(run.raised[0]!.boardId, Number(y)) as { board: string; year: number; last: number };
      db.prepare(
        "update reference_counter set last = last + 1 where prefix = 'ESC' and board_id = ? and year = ?",
      ).run(row.board, row.year);
      return row;
    });
    expect(await failing()).toEqual([
      [
        'references: none duplicated, none skipped (against the reference counters)',
        `board ${board} ${year}: skipped ${last + 1} (counter ${baseline.counters[`${board}|${year}`]} → ${last + 1})`,
      ],
    ]);
    sqlite('escalations', (db) =>
      db
        .prepare(
          "update reference_counter set last = ? where prefix = 'ESC' and board_id = ? and year = ?",
        )
        .run(last, board, year),
    );
    expect(await failing()).toEqual([]);
  });

  it('fails on a duplicated reference', async () => {
    const [first, second] = run.raised.filter((r) => r.boardId === run.raised[0]!.boardId);
    expect(second).toBeDefined();
    sqlite('escalations', (db) => {
      db.exec('drop index escalation_board_id_reference_unique');
      db.prepare('update escalation set reference = ? where id = ?').run(
        first!.reference,
        second!.id,
      );
    });
    const failed = await failing();
    expect(failed.map(([name]) => name)).toEqual([
      'every raise answered is stored with the reference answered',
      'references: none duplicated, none skipped (against the reference counters)',
    ]);
    const number = Number(first!.reference.slice(-6));
    expect(failed[1]![1]).toMatch(
      new RegExp(
        `duplicated ${number}; .*skipped ${Number(second!.reference.slice(-6))} .*references held twice`,
      ),
    );
    sqlite('escalations', (db) =>
      db
        .prepare('update escalation set reference = ? where id = ?')
        .run(second!.reference, second!.id),
    );
    expect(await failing()).toEqual([]);
  });

  it('fails on a lost event, an unpublished one, an event a consumer never applied, and a missing statistics row', async () => {
    const [a, b, c, d] = run.raised;
    const saved = sqlite('escalations', (db) => {
      const raised = db
        .prepare("select * from outbox_event where aggregate_id = ? and type = 'EscalationRaised'")
        .get(a!.id) as Record<string, unknown>;
      db.prepare('delete from outbox_event where seq = ?').run(raised.seq);
      db.prepare(
        "delete from outbox_event where aggregate_id = ? and type = 'StageEntered' and json_extract(payload, '$.stageNumber') = 2",
      ).run(b!.id);
      db.prepare(
        "update outbox_event set published_at = null where aggregate_id = ? and type = 'StageCompleted'",
      ).run(c!.id);
      return raised;
    });
    const completed = sqlite('escalations', (db) =>
      db
        .prepare("select id from outbox_event where aggregate_id = ? and type = 'StageCompleted'")
        .get(c!.id),
    ) as { id: string };
    sqlite('learning', (db) =>
      db
        .prepare("delete from processed_event where consumer = 'learning-stats' and event_id = ?")
        .run(completed.id),
    );
    const key = sqlite('learning', (db) => {
      const { value } = db
        .prepare("select value from learning_setting where name = 'stats_key'")
        .get() as { value: string };
      return value;
    });
    sqlite('learning', (db) =>
      db
        .prepare('delete from stats_escalation where key = ?')
        .run(createHmac('sha256', key).update(d!.id).digest('hex')),
    );
    const failed = await failing();
    expect(failed).toEqual([
      ['every new escalation has one EscalationRaised event', `${a!.id}: 0 EscalationRaised`],
      [
        'a StageEntered event per stage entered, a StageCompleted per stage completed',
        `${b!.id}: StageEntered for stages [1], entered [1,2]`,
      ],
      [
        'every event of the new escalations published',
        `StageCompleted ${completed.id} of ${c!.id}`,
      ],
      [
        "the learning read model's consumer applied every one of their events",
        `StageCompleted ${completed.id} of ${c!.id}`,
      ],
      [
        'the statistics read model has a row for every new escalation, at its stage',
        `${d!.id}: no row`,
      ],
    ]);
    expect(saved.type).toBe('EscalationRaised');
  });

  it('copies a SQLite dataset without touching it, and refuses to write PostgreSQL unless told', () => {
    const before = Object.fromEntries(
      readdirSync(dir).map((name) => [name, statSync(join(dir, name)).mtimeMs]),
    );
    const copy = copySqliteDataset(dir, tmpdir());
    try {
      expect(readdirSync(copy).sort()).toEqual([
        'cases.sqlite',
        'escalations.sqlite',
        'learning.sqlite',
        'panels.sqlite',
      ]);
      const count = (base: string) => {
        const db = new Database(join(base, 'escalations.sqlite'), { readonly: true });
        try {
          return (db.prepare('select count(*) as n from escalation').get() as { n: number }).n;
        } finally {
          db.close();
        }
      };
      expect(count(copy)).toEqual(count(dir));
      expect(
        Object.fromEntries(
          readdirSync(dir).map((name) => [name, statSync(join(dir, name)).mtimeMs]),
        ),
      ).toEqual(before);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    expect(() => parseWritesArgs(['--database-url', 'postgres://x/y'])).toThrow(
      /--i-know-it-writes/,
    );
    expect(() => parseWritesArgs(['--dataset-dir', 'x', '--i-know-it-writes'])).toThrow(
      /--i-know-it-writes is for --database-url/,
    );
    expect(() => parseWritesArgs(['--dataset-dir', 'x', '--clients', '0'])).toThrow(
      /--clients must be a whole number from 1/,
    );
    expect(() => parseWritesArgs(['--dataset-dir', 'x', '--duration', 'ten'])).toThrow(
      /--duration must be a whole number/,
    );
    expect(
      parseWritesArgs([
        '--database-url',
        'postgres://x/y',
        '--i-know-it-writes',
        '--topology',
        'five',
      ]),
    ).toMatchObject({
      data: { kind: 'postgres', url: 'postgres://x/y' },
      topology: 'five',
      clients: 20,
      durationSeconds: 30,
    });
  });
});
