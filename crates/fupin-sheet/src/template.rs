//! The empty template of the member sheet, with the code lists on a second sheet.

use crate::columns::header;
use crate::write::SheetWriter;
use crate::SheetError;
use fupin_core::codes::{
    Attribute, Cause, CodeList, Health, HouseholdStatus, HousingGrade, Labor, MonitoringCategory,
    Relation, SchoolStatus, WorkPlace,
};
use fupin_core::registry::{JoinReason, LeaveReason};
use std::path::Path;

/// The code lists, as rows: list, code, Chinese, English.
pub fn code_list_rows() -> Vec<Vec<String>> {
    fn list<T: CodeList>(column: &str, rows: &mut Vec<Vec<String>>) {
        for v in T::all() {
            rows.push(vec![
                column.to_string(),
                v.code().to_string(),
                v.zh().to_string(),
                v.en().to_string(),
            ]);
        }
    }
    let mut rows = vec![vec![
        "列 column".to_string(),
        "代码 code".into(),
        "中文".into(),
        "English".into(),
    ]];
    list::<HouseholdStatus>("户状态 status", &mut rows);
    list::<Attribute>("贫困户属性 attribute", &mut rows);
    list::<Cause>("致贫原因 cause", &mut rows);
    list::<MonitoringCategory>("监测对象类别 monitoring", &mut rows);
    list::<HousingGrade>("住房安全等级 housing_grade", &mut rows);
    list::<Relation>("与户主关系 relation", &mut rows);
    list::<Labor>("劳动技能 labor", &mut rows);
    list::<Health>("健康状况 health", &mut rows);
    list::<SchoolStatus>("在校生状况 school_status", &mut rows);
    list::<WorkPlace>("务工状况 work_place", &mut rows);
    for j in JoinReason::ALL {
        rows.push(vec![
            "增加原因 join_reason".into(),
            j.code().into(),
            j.zh().into(),
            j.code().into(),
        ]);
    }
    for l in LeaveReason::ALL {
        rows.push(vec![
            "减少原因 leave_reason".into(),
            l.code().into(),
            l.zh().into(),
            l.code().into(),
        ]);
    }
    for (v, zh) in [("yes", "是"), ("no", "否")] {
        rows.push(vec!["是/否 yes/no".into(), v.into(), zh.into(), v.into()]);
    }
    rows
}

/// Writes the empty template: the header row, and a second sheet with the code lists.
pub fn write_template(path: &Path) -> Result<(), SheetError> {
    let mut w = SheetWriter::create(path, "成员 members")?;
    w.write_header(&header())?;
    w.add_sheet("代码表 codes", &code_list_rows())?;
    w.finish()
}
