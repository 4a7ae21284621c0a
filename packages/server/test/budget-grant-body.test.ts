/**
 * An admin's grant of budget hours checks its body (found by the schemathesis fuzz test): an
 * unknown field is refused, and so is a number of hours so large that the period's sum would
 * no longer be a finite number (it was stored, and the budget then read `null` hours).
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startInProcessGateway, type InProcessGateway } from './in-process-gateway.js';

const admin = `Basic ${Buffer.from('admin:any-password').toString('base64')}`;

describe('the body of a budget grant', () => {
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
  });
});
