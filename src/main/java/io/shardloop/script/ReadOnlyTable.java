package io.shardloop.script;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A Lua table scripts cannot change once it is sealed, as Redis 7 makes its library tables
 * ({@code redis}, {@code string}, {@code cjson}, ...): every store, {@code rawset} included, and
 * every {@code setmetatable} raises "Attempt to modify a readonly table". The engine fills it
 * before sealing. Confined to the engine's thread, but for the shared string metatable, which is
 * sealed before it is published.
 */
final class ReadOnlyTable extends LuaTable {
    static final String READONLY = "Attempt to modify a readonly table";

    private boolean sealed;

    /** A sealed copy of a library table's fields. */
    static ReadOnlyTable copyOf(LuaValue library) {
        ReadOnlyTable t = new ReadOnlyTable();
        LuaValue k = LuaValue.NIL;
        while (true) {
            org.luaj.vm2.Varargs next = library.next(k);
            k = next.arg1();
            if (k.isnil()) {
                break;
            }
            t.rawset(k, next.arg(2));
        }
        t.seal();
        return t;
    }

    /** Sets the metatable of a sealed table, once, from the engine. */
    void metatableOnce(LuaValue metatable) {
        super.setmetatable(metatable);
    }

    ReadOnlyTable seal() {
        sealed = true;
        return this;
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
    public void insert(int pos, LuaValue value) {
        checkOpen();
        super.insert(pos, value);
    }

    @Override
    public LuaValue remove(int pos) {
        checkOpen();
        return super.remove(pos);
    }

    @Override
    public void sort(LuaValue comparator) {
        checkOpen();
        super.sort(comparator);
    }

    @Override
    public LuaValue setmetatable(LuaValue metatable) {
        checkOpen();
        return super.setmetatable(metatable);
    }

    private void checkOpen() {
        if (sealed) {
            throw new LuaError(READONLY);
        }
    }
}
