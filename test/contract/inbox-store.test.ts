import { test } from 'node:test'
import { openPostgresDatabase } from '../../src/db/postgres.ts'
import { openSQLiteDatabase } from '../../src/db/sqlite.ts'
import { sharedPostgres } from '../support/postgres.ts'
import { describeInboxStoreContract } from './inbox-store-contract.ts'

// Start the cluster before declaring any suite, so node:test sees every suite up front.
const cluster = await sharedPostgres()

describeInboxStoreContract('sqlite', { open: async () => openSQLiteDatabase(':memory:') })
if ('skip' in cluster) {
  test('InboxStore contract: postgres', { skip: cluster.skip }, () => {})
} else {
  let n = 0
  let current = ''
  describeInboxStoreContract('postgres', {
    open: async () => {
      current = await cluster.createDatabase(`inbox_${++n}`)
      return openPostgresDatabase({ connectionString: current })
    },
    openSecondConnection: async () => openPostgresDatabase({ connectionString: current }),
  })
}
