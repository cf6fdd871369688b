/**
 * The client's side of a round with secure aggregation (`docs/federated_protocol.md` section 4, the
 * messages of `docs/secure_aggregation.md`), loaded only for a task whose `secagg` is set: the state
 * machine of `./secagg/` (WebCrypto X25519, AES, Shamir shares) driven over HTTP — advertise keys, read
 * the roster, send encrypted key shares, read the inbox, mask the update; after the masked update is
 * accepted, answer the server's unmask request. The server only ever sees the masked vector.
 * @module
 */

/** @typedef {import('./protocol.js').Protocol} Protocol */

/**
 * Runs the phases up to the masked update; `after` runs the unmask phase once the update is sent.
 * @param {Protocol} proto
 * @param {{clientId: string, taskId: string, round: number, config: object, update: Float32Array, weight: number}} task
 *   `weight`: the example count (plain FedAvg) or 1 (DP-FedAvg's fixed denominator)
 * @returns {Promise<{encoding: 'secagg', update: string, after: () => Promise<void>}>}
 */
export async function secaggRound(proto, { clientId, taskId, round, config, update, weight }) {
  const { SecAggClient } = await import('./secagg/index.js');
  const client = new SecAggClient(clientId, /** @type {any} */ (config));
  const ids = { clientId, taskId, round };
  const query = `clientId=${encodeURIComponent(clientId)}&round=${round}`;
  await proto.request('POST', 'secagg/advertise', { ...ids, message: await client.advertise() });
  const roster = (await proto.poll(`secagg/roster?${query}`)).message;
  await proto.request('POST', 'secagg/shares', { ...ids, message: await client.shareKeys(roster) });
  const inbox = (await proto.poll(`secagg/inbox?${query}`)).message;
  const masked = await client.maskedInput(update, weight, inbox);
  return {
    encoding: 'secagg',
    update: masked,
    after: async () => {
      const ask = (await proto.poll(`secagg/unmask?${query}`)).message;
      await proto.request('POST', 'secagg/unmask', {
        ...ids,
        message: await client.unmask(ask.survivors, ask.dropped),
      });
    },
  };
}
