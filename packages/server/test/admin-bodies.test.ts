/**
 * Admin bodies are checked by their handlers (the validator compiler passes bodies on): a grant
 * of budget hours (found by the schemathesis fuzz test) refuses an unknown field and a number of
 * hours so large that the period's sum would no longer be a finite number (it was stored, and
 * the budget then read `null` hours); a move in the pool queue refuses an unknown field and a
 * place that is not a whole number from 1.
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startInProcessGateway, type InProcessGateway } from './in-process-gateway.js';

const admin = `Basic ${Buffer.from('admin:any-password').toString('base64')}`;

describe('the bodies of budget grants and queue moves', () => {
  let g: InProcessGateway | undefined;
  after(async () => {
    await g?.stop();
  });

  it('refuses unknown fields and unbounded hours, and takes a sound grant', async () => {
    g = await startInProcessGateway({
      prefix: 'gatehouse-budget-body-',
      values: { access: { admin_users: ['admin'], bootstrap_admin_token: false } },
    });
    const grant = (body: unknown) =>
      fetch(`${g?.gateway.url ?? ''}/api/v1/admin/budgets/ann/grants`, {
        method: 'POST',
        headers: { authorization: admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const extra = await grant({ hours: 1, 'x-unknown': 42 });
    assert.equal(extra.status, 422, await extra.text());
    const huge = await grant({ hours: 1.4e308 });
    assert.equal(huge.status, 422, await huge.text());
    const sound = await grant({ hours: 2.5, note: 'thesis deadline' });
    assert.equal(sound.status, 201, await sound.clone().text());
    const status = (await sound.json()) as { extra_core_hours: number };
    assert.equal(status.extra_core_hours, 2.5);

    const move = (body: unknown) =>
      fetch(`${g?.gateway.url ?? ''}/api/v1/admin/queue/someone-s-cluster/move`, {
        method: 'POST',
        headers: { authorization: admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const bad of [
      { position: 0 },
      { position: 1.5 },
      { position: '2' },
      { position: 1, x: 1 },
    ]) {
      const r = await move(bad);
      assert.equal(r.status, 422, `${JSON.stringify(bad)}: ${await r.text()}`);
    }
    const notWaiting = await move({ position: 1 });
    assert.equal(notWaiting.status, 404, await notWaiting.text());
  });
});
