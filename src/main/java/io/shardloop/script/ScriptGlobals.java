package io.shardloop.script;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * The global table of one sandbox, protected as Redis 7 protects its globals: the table itself
 * stays empty and sealed, so no store succeeds ("Attempt to modify a readonly table"), and every
 * read goes through its metatable's {@code __index} to the names the engine chose to show
 * ({@link #showing}): the whole library while a script runs, only the library API while FUNCTION
 * LOAD runs a library's body (as Redis 7.0's function_lua.c swaps its globals' __index). A name
 * not there raises "Script attempted to access nonexistent global variable 'x'".
 * Confined to the engine's thread.
 */
final class ScriptGlobals extends Globals {
    private boolean sealed;
    private LuaTable visible;

    /** Empties the table (moving what the libraries put there into {@code into}) and seals it. */
    void seal(LuaTable into) {
        java.util.List<LuaValue> keys = new java.util.ArrayList<>();
        for (LuaValue k = next(NIL).arg1(); !k.isnil(); k = next(k).arg1()) {
            keys.add(k);
        }
        for (LuaValue k : keys) {
            into.rawset(k, rawget(k));
            super.rawset(k, NIL);
        }
        LuaValue meta = tableOf();
        meta.rawset(INDEX, new org.luaj.vm2.lib.TwoArgFunction() {
            @Override
            public LuaValue call(LuaValue table, LuaValue key) {
                LuaValue v = visible.rawget(key);
                if (v.isnil()) {
                    throw new LuaError("Script attempted to access nonexistent global variable '" + key.tojstring() + "'");
                }
                return v;
            }
        });
        super.setmetatable(meta);
        visible = into;
        sealed = true;
    }

    /** The names scripts see from now on. */
    void showing(LuaTable names) {
        visible = names;
    }

    @Override
    public void rawset(LuaValue key, LuaValue value) {
        checkOpen();
        super.rawset(key, value);
    }

    @Override
    public void rawset(int key, LuaValue value) {
        checkOpen();
        super.rawset(key, value);
    }

    @Override
    public LuaValue setmetatable(LuaValue metatable) {
        checkOpen();
        return super.setmetatable(metatable);
    }

    private void checkOpen() {
        if (sealed) {
            throw new LuaError(ReadOnlyTable.READONLY);
        }
    }
}
