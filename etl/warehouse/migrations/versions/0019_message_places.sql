-- Revision 0019 (issue 14): where each message points, as the clerk sees it. Messages stored
-- before this revision have no cell (NULL): their text already names sheet, row and column.
ALTER TABLE ops.validation_message
    ADD COLUMN cell text,
    ADD COLUMN item_code text,
    ADD COLUMN item_name text;
COMMENT ON COLUMN ops.validation_message.cell IS 'The cell as the clerk''s office suite names it (D13); NULL for JSON files and messages about a whole sheet or file';
COMMENT ON COLUMN ops.validation_message.item_code IS 'The indicator code (ma_chi_tieu) or task id (ma_nhiem_vu) of the row the message is about';
COMMENT ON COLUMN ops.validation_message.item_name IS 'That indicator''s catalog name, or the task''s title as sent';
