/**
 * @module cli/commands/agents
 * `configure-oauth`, `agent show` and `agents list`: the Business Communications configuration steps.
 */
import type { Command } from 'commander'
import { InvalidArgumentError } from '../../index.ts'
import { parseAgentName, parseBrandName } from '../../google/index.ts'
import type { Agent } from '../../google/index.ts'
import { businessCommunicationsClient } from '../google-context.ts'
import { printResult } from '../io.ts'
import type { CLIIO } from '../io.ts'
import { commonOptions, parsePositiveInt, withGoogleOptions, withJSONOutput } from '../options.ts'

function endpointUrlOf(agent: Agent): string | undefined {
  return agent.businessMessagesAgent?.authorizationConfig?.endpointUrl
}

function agentNameFrom(io: CLIIO, explicit: string | undefined): string {
  const name = explicit ?? io.env['BM_OAUTH_AGENT']
  if (name === undefined || name === '') {
    throw new InvalidArgumentError(
      'agent',
      'required: pass --agent brands/BRAND_ID/agents/AGENT_ID or set BM_OAUTH_AGENT',
    )
  }
  return parseAgentName(name).name
}

function describeAgent(agent: Agent): string {
  const bm = agent.businessMessagesAgent
  return [
    `name:          ${agent.name ?? '(unknown)'}`,
    `displayName:   ${agent.displayName ?? ''}`,
    `customAgentId: ${bm?.customAgentId ?? ''}`,
    `defaultLocale: ${bm?.defaultLocale ?? ''}`,
    `endpointUrl:   ${endpointUrlOf(agent) ?? '(not set)'}`,
  ].join('\n')
}

/** Registers the agent commands on `program`. */
export function registerAgentCommands(program: Command, io: CLIIO): void {
  const configure = program
    .command('configure-oauth')
    .description(
      "Set the agent's OAuth endpoint: PATCH businessMessagesAgent.authorizationConfig.endpointUrl, then read it back",
    )
    .option('--agent <name>', 'agent resource name brands/BRAND_ID/agents/AGENT_ID (env BM_OAUTH_AGENT)')
    .requiredOption('--endpoint-url <url>', "the provider's authorization endpoint, where the user logs in")
  withJSONOutput(withGoogleOptions(configure)).action(
    async (opts: { agent?: string; endpointUrl: string }, cmd: Command) => {
      const g = commonOptions(cmd)
      const name = agentNameFrom(io, opts.agent)
      const bc = await businessCommunicationsClient(io, g)
      const before = endpointUrlOf(await bc.getAgent(name))
      await bc.setAuthorizationEndpoint(name, opts.endpointUrl)
      const after = endpointUrlOf(await bc.getAgent(name))
      printResult(io, g.json, { agent: name, before: before ?? null, after: after ?? null }, () =>
        [`agent:       ${name}`, `endpointUrl: ${before ?? '(not set)'} → ${after ?? '(not set)'}`].join('\n'),
      )
    },
  )

  const agent = program.command('agent').description('Read one agent')
  const show = agent
    .command('show')
    .description('Show an agent (brands.agents.get), including its OAuth endpointUrl')
    .argument('[name]', 'agent resource name (or --agent, or env BM_OAUTH_AGENT)')
    .option('--agent <name>', 'agent resource name brands/BRAND_ID/agents/AGENT_ID')
  withJSONOutput(withGoogleOptions(show)).action(
    async (positional: string | undefined, opts: { agent?: string }, cmd: Command) => {
      const g = commonOptions(cmd)
      const name = agentNameFrom(io, positional ?? opts.agent)
      const found = await (await businessCommunicationsClient(io, g)).getAgent(name)
      printResult(io, g.json, found, () => describeAgent(found))
    },
  )

  const list = program
    .command('agents')
    .description('List agents')
    .command('list')
    .description("List a brand's agents (brands.agents.list), following every page")
    .requiredOption('--brand <name>', 'brand resource name brands/BRAND_ID (or just the id)')
    .option('--page-size <n>', 'agents per request', (v) => parsePositiveInt(v, 'page-size'))
  withJSONOutput(withGoogleOptions(list)).action(async (opts: { brand: string; pageSize?: number }, cmd: Command) => {
    const g = commonOptions(cmd)
    const brand = parseBrandName(opts.brand.startsWith('brands/') ? opts.brand : `brands/${opts.brand}`).name
    const bc = await businessCommunicationsClient(io, g)
    const agents: Agent[] = []
    for await (const a of bc.listAllAgents(brand, opts.pageSize === undefined ? {} : { pageSize: opts.pageSize })) {
      agents.push(a)
    }
    printResult(io, g.json, { agents }, () =>
      agents.length === 0
        ? `no agents in ${brand}`
        : agents.map((a) => `${a.name ?? ''}\t${a.displayName ?? ''}\t${endpointUrlOf(a) ?? '-'}`).join('\n'),
    )
  })
}
