// Compiled by tests/typegen/test_typescript.py with `tsc --strict` next to the generated
// database.types.ts: every query below must type-check, and every line marked as
// an expected error must fail to (an unused expect-error directive is itself an
// error), so types that are too loose (any, unknown) fail as surely as wrong ones.
import { createClient } from "@supabase/supabase-js"
import type { Database, Json, Tables, TablesInsert, TablesUpdate } from "./database.types"

const supabase = createClient<Database>("http://127.0.0.1:54321", "anon-key")

export async function queries(): Promise<void> {
  const { data: users } = await supabase.from("users").select("id, email, role, is_active")
  if (users) {
    const role: string = users[0].role
    const active: boolean = users[0].is_active
    const email: string | null = users[0].email
    // @ts-expect-error a role is a string, not a number
    const wrong: number = users[0].role
    // @ts-expect-error email may be null
    const notNull: string = users[0].email
    console.log(role, active, email, wrong, notNull)
  }

  const { data: orders } = await supabase
    .from("orders")
    .select("id, total_amount, order_items(quantity, unit_price)")
    .eq("status", "paid")
  if (orders) {
    const total: number | null = orders[0].total_amount
    const quantity: number = orders[0].order_items[0].quantity
    console.log(total, quantity)
  }

  const { data: stats } = await supabase.from("tracked_link_stats").select("short_code, clicks")
  if (stats) {
    const clicks: number | null = stats[0].clicks
    console.log(clicks)
  }

  // @ts-expect-error there is no such table
  await supabase.from("no_such_table").select()

  const { data: funnel } = await supabase.rpc("assessment_funnel", { since: "2026-11-01T00:00:00Z" })
  if (funnel) {
    const sessions: number = funnel[0].session_count
    const event: string = funnel[0].event_type
    console.log(sessions, event)
  }
  const { data: flags } = await supabase.rpc("feature_flag_map")
  const map: Json | null = flags
  console.log(map)
  // @ts-expect-error assessment_funnel has no argument "nope"
  await supabase.rpc("assessment_funnel", { nope: 1 })
  // @ts-expect-error there is no such function
  await supabase.rpc("no_such_function")
}

export const newFlag: TablesInsert<"feature_flags"> = { name: "dark_mode", enabled: true }
// @ts-expect-error name is required when inserting a flag
export const namelessFlag: TablesInsert<"feature_flags"> = { enabled: true }
export const rename: TablesUpdate<"feature_flags"> = { description: "new words" }
export const order: Tables<"orders"> | null = null
// @ts-expect-error total_amount is generated: never written
export const generated: TablesInsert<"orders"> = { distributor_id: "x", total_amount: 1 }
export const schemaOption: Tables<{ schema: "public" }, "users">["id"] = "a0000000-0000-4000-8000-000000000001"
